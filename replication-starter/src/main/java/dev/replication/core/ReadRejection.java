package dev.replication.core;

/**
 * A read that this node cannot serve; {@code leaderId} is the leader it knows of (null: none),
 * so the caller can be redirected.
 */
public record ReadRejection(long requestId, String leaderId, String reason) {
}
