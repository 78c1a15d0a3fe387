package dev.replication.core;

/** Leader to its chosen successor (leadership transfer): campaign now, skipping pre-vote. */
public record TimeoutNow(String from, String to, long generation) implements Message {}
