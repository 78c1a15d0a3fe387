package dev.replication.core;

/**
 * Candidate to voter. With {@code preVote} set, a probe that changes no state on the voter: it
 * asks "would you vote for me at {@code generation}?" so a node that was cut off cannot
 * disrupt a healthy leader by inflating generations.
 *
 * @param generation the generation the candidate campaigns for (for a pre-vote, its current
 *     generation plus one, which it has not adopted)
 */
public record VoteRequest(String from, String to, long generation, boolean preVote, long lastIndex, long lastGeneration)
        implements Message {}
