package dev.replication.core;

import org.jspecify.annotations.Nullable;

/**
 * A read that this node cannot serve; {@code leaderId} is the leader it knows of (null: none),
 * so the caller can be redirected.
 */
public record ReadRejection(long requestId, @Nullable String leaderId, String reason) {}
