package dev.replication.state;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * This delta followed by {@code newer} (captured right after it), as one delta from this one's
     * base to the newer's header: what a store holding this one's base gets by applying both. For a
     * checkpoint write that failed before anything was stored, so the next one carries its changes
     * instead of rewriting the whole state. Neither delta is modified; O(changes in both).
     *
     * @throws IllegalArgumentException when {@code newer} does not start where this one ends
     */
    public CheckpointDelta followedBy(CheckpointDelta newer) {
        if (newer.replacesAll) {
            return newer;
        }
        if (newer.baseIndex != header.appliedIndex()) {
            throw new IllegalArgumentException("the changes since " + newer.baseIndex
                    + " do not follow the delta ending at " + header.appliedIndex());
        }
        Map<String, MapChanges> merged = new LinkedHashMap<>();
        maps.forEach(changes -> merged.put(changes.map(), changes));
        newer.maps.forEach(changes -> merged.merge(changes.map(), changes, MapChanges::followedBy));
        return new CheckpointDelta(
                replacesAll,
                baseIndex,
                newer.header,
                List.copyOf(merged.values()),
                sessions.followedBy(newer.sessions));
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
