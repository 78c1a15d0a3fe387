package dev.replication.core;

import org.jspecify.annotations.Nullable;

/** The immediate answer to proposing a command to a replica. */
public sealed interface Proposal {

    /**
     * The command was appended at {@code index} in {@code generation}. It is committed when an
     * entry with this index and generation appears in {@link Ready#committedEntries()}; if the
     * entry committed at {@code index} has another generation, this command was overwritten
     * and never committed.
     */
    record Accepted(long index, long generation) implements Proposal {}

    /**
     * The command certainly did not enter the log (safe to retry elsewhere).
     *
     * @param leaderId the leader this node knows of, null if none
     */
    record Rejected(@Nullable String leaderId, String reason) implements Proposal {}
}
