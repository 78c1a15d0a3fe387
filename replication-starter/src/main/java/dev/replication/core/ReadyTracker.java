package dev.replication.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Replica} has already handed to its driver, so that every {@link Ready} carries
 * only what changed since the last one: the hard state last submitted, the role state last
 * reported, and the last committed index handed out to apply. Kept apart from the replica's
 * rules so that the bookkeeping of the Ready handshake ({@link Replica#ready()}, {@link
 * Replica#advance(Ready)}) is in one place.
 */
final class ReadyTracker {

    private HardState submittedHardState;
    private @Nullable RoleState reportedRoleState;
    /** Last committed index handed to the driver to apply (or covered by a snapshot). */
    private long handedOutCommitIndex;
    /** A leader's snapshot not yet handed to the driver to install. */
    private @Nullable SnapshotInstall pendingInstall;

    ReadyTracker(HardState restored, long appliedIndex) {
        this.submittedHardState = restored;
        this.handedOutCommitIndex = appliedIndex;
    }

    /**
     * The driver is to install a snapshot: what it covers is never handed out to apply. A
     * later one replaces one not yet handed out (the log already reflects both).
     */
    void install(SnapshotInstall install) {
        pendingInstall = pendingInstall != null && !pendingInstall.keepSuffix()
                // The driver has not yet discarded its stored log: it still must.
                ? new SnapshotInstall(install.index(), install.generation(), false)
                : install;
        handedOutCommitIndex = install.index();
    }

    long handedOutCommitIndex() {
        return handedOutCommitIndex;
    }

    boolean hasReady(Outbox outbox, ReplicatedLog log, HardState hardState, RoleState roleState, long applyUpTo) {
        return !outbox.isEmpty()
                || pendingInstall != null
                || log.hasUnsubmitted()
                || !hardState.equals(submittedHardState)
                || !roleState.equals(reportedRoleState)
                || applyUpTo > handedOutCommitIndex;
    }

    Ready collect(
            Outbox outbox,
            ReplicatedLog log,
            HardState hardState,
            RoleState roleState,
            long applyUpTo,
            long maxBytesPerBatch) {
        List<LogEntry> committed = applyUpTo > handedOutCommitIndex
                // Bounded like an append, so a node catching up applies in batches.
                ? log.entries(handedOutCommitIndex + 1, applyUpTo, maxBytesPerBatch)
                : List.of();
        return new Ready(
                hardState.equals(submittedHardState) ? null : hardState,
                pendingInstall,
                log.unsubmitted(),
                outbox.messages(),
                outbox.messagesAfterPersist(),
                committed,
                outbox.readStates(),
                outbox.readRejections(),
                outbox.lostEntries(),
                roleState.equals(reportedRoleState) ? null : roleState);
    }

    /** The driver has performed {@code ready}: forget those effects. */
    void advance(Ready ready, Outbox outbox, ReplicatedLog log) {
        if (ready.hardState() != null) {
            submittedHardState = ready.hardState();
        }
        if (ready.snapshotToInstall() != null && ready.snapshotToInstall().equals(pendingInstall)) {
            pendingInstall = null;
        }
        if (!ready.entries().isEmpty()) {
            log.submitted(ready.entries().get(ready.entries().size() - 1).index());
        }
        if (!ready.committedEntries().isEmpty()) {
            handedOutCommitIndex = ready.committedEntries()
                    .get(ready.committedEntries().size() - 1)
                    .index();
        }
        if (ready.roleState() != null) {
            reportedRoleState = ready.roleState();
        }
        outbox.drop(ready);
    }
}
