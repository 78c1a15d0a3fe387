package dev.replication.state;

import java.util.List;

/**
 * What changed in a {@link KeyValueStateMachine} between two captures, for an incremental
 * checkpoint; or, when {@link #replacesAll()}, everything relative to an empty state. Immutable:
 * the machine hands over collections it no longer touches, and the values (immutable by contract)
 * are shared, not copied.
 *
 * <p>A store applies a delta in one transaction: when it replaces all, it first deletes
 * everything; then, for each kind, the deletions before the writes (an idempotency digest can be
 * both forgotten and added again in one delta); then the header.
 */
public final class CheckpointDelta {

    private final boolean replacesAll;
    private final long baseIndex;
    private final CheckpointHeader header;
    private final List<MapChanges> maps;
    private final ClientSessions.SessionChanges sessions;

    CheckpointDelta(
            boolean replacesAll,
            long baseIndex,
            CheckpointHeader header,
            List<MapChanges> maps,
            ClientSessions.SessionChanges sessions) {
        this.replacesAll = replacesAll;
        this.baseIndex = baseIndex;
        this.header = header;
        this.maps = List.copyOf(maps);
        this.sessions = sessions;
    }

    /** True when this delta starts from an empty state: a store deletes everything it holds first. */
    public boolean replacesAll() {
        return replacesAll;
    }

    /**
     * The applied index of the checkpoint this delta follows (the previous capture, or the
     * restored checkpoint); 0 when it {@link #replacesAll}. A store holding another checkpoint
     * must refuse it: the changes in between would be missing.
     */
    public long baseIndex() {
        return baseIndex;
    }

    /** Applied index and generation, log time, limits, configuration at the capture. */
    public CheckpointHeader header() {
        return header;
    }

    /** The changed maps (a map of which every key was deleted is here with its deletions). */
    public List<MapChanges> maps() {
        return maps;
    }

    /** Copies of the client sessions used or changed since the previous capture. */
    public List<SessionImage> sessionsWritten() {
        return sessions.written();
    }

    /** The client ids of the sessions forgotten (expired or evicted) since the previous capture. */
    public List<String> sessionsForgotten() {
        return sessions.forgotten();
    }

    /** The idempotency keys remembered since the previous capture, oldest first. */
    public List<IdempotencyAnswer> idempotencyAnswersAdded() {
        return sessions.keys().added();
    }

    /** The idempotency keys forgotten (expired or evicted) since the previous capture. */
    public List<IdempotencyAnswer.Digest> idempotencyAnswersForgotten() {
        return sessions.keys().forgotten();
    }

    /** How many keys, sessions and idempotency answers this delta writes or deletes. */
    public long changeCount() {
        long count = sessions.written().size()
                + sessions.forgotten().size()
                + sessions.keys().size();
        for (MapChanges map : maps) {
            count += map.writtenCount() + map.deletedCount();
        }
        return count;
    }

    @Override
    public String toString() {
        return "CheckpointDelta[" + (replacesAll ? "all" : "changes") + " at " + header.appliedIndex() + ", "
                + changeCount() + " changes]";
    }
}
