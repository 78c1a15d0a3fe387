package dev.replication.core;

/**
 * The follower's side of replication: the consistency check of a leader's append, storing what
 * passes it, learning the commit index, and the acknowledgement. The replica has already applied
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
        if (prevIndex > log.lastIndex() || log.generationAt(prevIndex) != request.prevGeneration()) {
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
        long matched = request.lastIndex();
        highWaterMark.advanceAsFollower(request.commitIndex(), matched);
        outbox.sendAfterPersist(
                new AppendResponse(config.id(), request.from(), generation, true, matched, 0, 0, request.round()));
    }
}
