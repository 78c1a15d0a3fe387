package dev.replication.core;

/** Voter to candidate: whether the (pre-)vote is granted. */
public record VoteResponse(String from, String to, long generation, boolean preVote, boolean granted)
        implements Message {}
