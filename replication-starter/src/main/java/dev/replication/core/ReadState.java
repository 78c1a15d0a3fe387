package dev.replication.core;

/**
 * A linearizable read that is now safe to serve once this node has applied up to {@code
 * readIndex}.
 */
public record ReadState(long requestId, long readIndex) {}
