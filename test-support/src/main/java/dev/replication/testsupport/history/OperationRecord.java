package dev.replication.testsupport.history;

import org.jspecify.annotations.Nullable;

/**
 * One operation of a history. {@code invokedAt} and {@code completedAt} are positions in one
 * logical clock shared by every client of the history (real-time order as seen by the
 * recorder); {@code completedAt} is {@link Long#MAX_VALUE} for an operation with outcome
 * {@link Outcome#UNKNOWN}, which may take effect at any time after its invocation or never.
 */
public record OperationRecord(
        long id,
        String client,
        Operation operation,
        long invokedAt,
        long completedAt,
        Outcome outcome,
        @Nullable Object result) {}
