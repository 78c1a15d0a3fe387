package dev.replication.core;

import org.jspecify.annotations.Nullable;

/**
 * What a node must remember across crashes besides its log: the highest generation it has
 * seen and whom it voted for in that generation (null: nobody). Persisted, with fsync,
 * before any message that depends on it leaves the node.
 */
public record HardState(long generation, @Nullable String votedFor) {

    public static final HardState INITIAL = new HardState(0, null);

    public HardState {
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0, was " + generation);
        }
    }
}
