package dev.replication.core;

import org.jspecify.annotations.Nullable;

/**
 * The follower's side of replication: the consistency check of a leader's append, storing what
 * passes it, learning the commit index, and the acknowledgement; and installing a leader's
 * snapshot in place of entries the leader no longer has. The replica has already applied
 * the generation rules (the sender leads the current generation) and made this node its
 * follower; what is left here concerns the log alone.
 */
final class FollowerAppends {

    private final ReplicaConfig config;
    private final ReplicatedLog log;
    private final HighWaterMark highWaterMark;
    private final Outbox outbox;

    FollowerAppends(ReplicaConfig config, ReplicatedLog log, HighWaterMark highWaterMark, Outbox outbox) {
        this.config = config;
        this.log = log;
        this.highWaterMark = highWaterMark;
        this.outbox = outbox;
    }

    /** An append of the leader of {@code generation}; answered only once its entries are durable. */
    void onAppendRequest(AppendRequest request, long generation) {
        long prevIndex = request.prevIndex();
        // A compacted previous entry is covered by the snapshot, committed: it matches every
        // later leader's log (leader completeness), so only a held one is checked.
        if (prevIndex > log.lastIndex()
                || (log.hasGenerationAt(prevIndex) && log.generationAt(prevIndex) != request.prevGeneration())) {
            long hint = log.rejectionHint(prevIndex, highWaterMark.index());
            outbox.sendAfterPersist(new AppendResponse(
                    config.id(),
                    request.from(),
                    generation,
                    false,
                    prevIndex,
                    hint,
                    log.generationAt(hint - 1),
                    request.round()));
            return;
        }
        log.appendFromLeader(request.entries(), highWaterMark.index());
        // The snapshot's entries are committed too: acknowledging them lets a leader that sent a
        // snapshot (and lost its acknowledgement) move on at the next heartbeat.
        long matched = Math.max(request.lastIndex(), log.snapshotIndex());
        highWaterMark.advanceAsFollower(request.commitIndex(), matched);
        outbox.sendAfterPersist(
                new AppendResponse(config.id(), request.from(), generation, true, matched, 0, 0, request.round()));
    }

    /**
     * The leader of {@code generation} sent its snapshot (the driver has stored it aside,
     * fsync'd). Above the commit index it replaces the log up to its index, which becomes the
     * commit index; the acknowledgement leaves once the install is durable.
     *
     * @return what the driver must install, or null if refused: a snapshot at or below the
     *     commit index would move this node back; the leader is told instead how far this log
     *     surely matches (the commit index, committed hence in every later leader's log)
     */
    @Nullable
    SnapshotInstall onInstallSnapshot(InstallSnapshot message, long generation) {
        long index = message.snapshotIndex();
        long matched = highWaterMark.index();
        SnapshotInstall install = null;
        if (index > matched) {
            boolean keepSuffix = log.installSnapshot(index, message.snapshotGeneration());
            highWaterMark.advanceAsFollower(index, index);
            install = new SnapshotInstall(index, message.snapshotGeneration(), keepSuffix);
            matched = index;
        }
        // Round 0: this answers no heartbeat round, so it confirms no read.
        outbox.sendAfterPersist(new AppendResponse(config.id(), message.from(), generation, true, matched, 0, 0, 0));
        return install;
    }
}
