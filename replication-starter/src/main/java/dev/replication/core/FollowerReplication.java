package dev.replication.core;

/**
 * The leader's view of one follower (etcd's {@code Progress}): how far its log matches, what to
 * send next, and the window of appends in flight. One {@link ReplicationState} decides what may
 * be sent, and every change of state goes through {@link #becomeProbe}, {@link #becomeReplicate}
 * or {@link #snapshotSent}, so the rules for moving between states are in this class and
 * nowhere else:
 *
 * <ul>
 *   <li>PROBE to REPLICATE when the follower acknowledges a match ({@link #matched});
 *   <li>REPLICATE to PROBE when the follower rejects an append, or the oldest append in flight
 *       has gone unanswered too long and is presumed lost ({@link #rejected}, {@link #tick});
 *   <li>PROBE to PROBE, one step lower, when the follower rejects the probe itself;
 *   <li>any to PROBE, below the match index, when the follower proves it lost entries it had
 *       acknowledged ({@link #lostEntries});
 *   <li>PROBE or REPLICATE to SNAPSHOT when the next entry to send is compacted ({@link
 *       #snapshotSent});
 *   <li>SNAPSHOT to REPLICATE when the follower acknowledges a match at or past the snapshot
 *       ({@link #matched}), and to PROBE when the transfer failed ({@link #snapshotFailed}) or
 *       went unacknowledged for the snapshot timeout ({@link #tick}).
 * </ul>
 */
final class FollowerReplication {

    final String id;
    private long matchIndex;
    /** The leader's heartbeat round when the match index last changed. */
    private long matchedInRound;

    private long nextIndex;
    private ReplicationState state = ReplicationState.PROBE;
    /** PROBE only: an append is out and we wait for an answer before sending another. */
    private boolean probeSent;
    /** REPLICATE only: the appends in flight (empty while probing). */
    private final RequestPipeline pipeline;

    /** SNAPSHOT only: the index of the snapshot sent, and the ticks since it was sent. */
    private long snapshotIndex;

    private long ticksInSnapshot;

    private long ticksSinceContact;
    /** Heard from within the current check-quorum period. */
    private boolean recentlyActive;
    /** Highest heartbeat round this follower has acknowledged in the current generation. */
    private long acknowledgedRound;

    private long logRegressions;
    private long lastLostFrom;
    private long lastLostTo;

    FollowerReplication(String id, long nextIndex, int maxInflight) {
        this.id = id;
        this.nextIndex = nextIndex;
        this.pipeline = new RequestPipeline(maxInflight);
    }

    long matchIndex() {
        return matchIndex;
    }

    long nextIndex() {
        return nextIndex;
    }

    ReplicationState state() {
        return state;
    }

    long acknowledgedRound() {
        return acknowledgedRound;
    }

    boolean recentlyActive() {
        return recentlyActive;
    }

    void startQuorumPeriod() {
        recentlyActive = false;
    }

    /** Whether another append may be sent now. */
    boolean canSend() {
        return switch (state) {
            case PROBE -> !probeSent;
            case REPLICATE -> !pipeline.isFull();
            case SNAPSHOT -> false;
        };
    }

    /** An append carrying entries up to {@code lastIndex} ({@code bytes} of payload) was sent. */
    void sent(long lastIndex, long bytes, long nowTick) {
        switch (state) {
            case PROBE -> probeSent = true; // the next index stays: the probe may be rejected
            case REPLICATE -> {
                nextIndex = lastIndex + 1;
                pipeline.add(lastIndex, bytes, nowTick);
            }
            case SNAPSHOT ->
                throw new IllegalStateException(
                        "an append was sent to " + id + " while it installs a snapshot; canSend() forbids it");
        }
    }

    /** Any answer at the current generation: the follower is alive and accepts this leader. */
    void heardFrom(long round) {
        ticksSinceContact = 0;
        recentlyActive = true;
        acknowledgedRound = Math.max(acknowledgedRound, round);
        probeSent = false; // even if the probe's own answer was lost, the next one may go
    }

    /**
     * The follower matched up to {@code index}; the leader is in heartbeat round {@code nowRound}.
     *
     * @return whether the match index grew
     */
    boolean matched(long index, long nowRound) {
        pipeline.acknowledgeUpTo(index);
        switch (state) {
            case PROBE -> becomeReplicate(Math.max(matchIndex, index) + 1); // the logs agree up to index
            case REPLICATE -> {}
            case SNAPSHOT -> {
                // Below the snapshot, the follower still lacks what only the snapshot brings.
                if (index >= snapshotIndex) {
                    becomeReplicate(Math.max(matchIndex, index) + 1);
                }
            }
        }
        nextIndex = Math.max(nextIndex, index + 1);
        if (index <= matchIndex) {
            return false;
        }
        matchIndex = index;
        matchedInRound = nowRound;
        return true;
    }

    /**
     * Whether a rejection at {@code rejectedPrevIndex} of a request sent in round {@code
     * requestRound} proves that the follower lost entries it had acknowledged: the request was
     * sent after the match index was recorded (a later round), its previous entry is one the
     * follower had acknowledged, and the follower no longer holds it. An earlier request's late
     * or duplicated rejection proves nothing (its round is not later).
     */
    boolean provesLostEntries(long rejectedPrevIndex, long requestRound) {
        return rejectedPrevIndex > 0 && rejectedPrevIndex <= matchIndex && requestRound > matchedInRound;
    }

    /**
     * The follower lost the entries from {@code firstLost} up to the match index: count only
     * {@code stillMatching} as stored there and probe again from {@code probeFrom}.
     *
     * @return the finding, to report once
     */
    LostEntries lostEntries(long firstLost, long stillMatching, long probeFrom, long nowRound) {
        LostEntries lost = new LostEntries(id, firstLost, matchIndex);
        logRegressions++;
        lastLostFrom = firstLost;
        lastLostTo = matchIndex;
        matchIndex = stillMatching;
        matchedInRound = nowRound;
        becomeProbe(probeFrom);
        return lost;
    }

    /**
     * The follower rejected an append at {@code rejectedPrevIndex}: probe again from {@code
     * probeFrom}, never below what is known to match.
     *
     * @return false if the rejection is stale (below the match index, or of an earlier probe)
     */
    boolean rejected(long rejectedPrevIndex, long probeFrom) {
        boolean stale = switch (state) {
            case PROBE -> rejectedPrevIndex != nextIndex - 1;
            case REPLICATE -> false;
            // Of an append sent before the snapshot: the install answers for itself.
            case SNAPSHOT -> true;
        };
        if (stale || rejectedPrevIndex < matchIndex) {
            return false;
        }
        becomeProbe(Math.max(matchIndex + 1, probeFrom));
        return true;
    }

    /**
     * Counts a tick; an append unanswered for {@code lostAfterTicks}, or a snapshot for {@code
     * snapshotTimeoutTicks}, sends us back to probing.
     */
    void tick(long nowTick, long lostAfterTicks, long snapshotTimeoutTicks) {
        ticksSinceContact++;
        switch (state) {
            case PROBE -> {}
            case REPLICATE -> {
                if (pipeline.oldestOlderThan(lostAfterTicks, nowTick)) {
                    becomeProbe(matchIndex + 1);
                }
            }
            case SNAPSHOT -> {
                if (++ticksInSnapshot >= snapshotTimeoutTicks) {
                    becomeProbe(matchIndex + 1);
                }
            }
        }
    }

    /** An {@link InstallSnapshot} at {@code index} was sent: nothing is appended until it is answered. */
    void snapshotSent(long index) {
        state = ReplicationState.SNAPSHOT;
        probeSent = false;
        pipeline.clear();
        snapshotIndex = index;
        ticksInSnapshot = 0;
        nextIndex = index + 1;
    }

    /**
     * The driver could not transfer the snapshot: probe again, which sends a snapshot anew at the
     * next chance to append if the follower still needs one.
     *
     * @return whether the follower was installing a snapshot
     */
    boolean snapshotFailed() {
        if (state != ReplicationState.SNAPSHOT) {
            return false;
        }
        becomeProbe(matchIndex + 1);
        return true;
    }

    private void becomeProbe(long probeFrom) {
        state = ReplicationState.PROBE;
        probeSent = false;
        pipeline.clear();
        nextIndex = probeFrom;
    }

    private void becomeReplicate(long replicateFrom) {
        state = ReplicationState.REPLICATE;
        pipeline.clear();
        nextIndex = replicateFrom;
    }

    FollowerProgress progress() {
        return new FollowerProgress(
                matchIndex,
                nextIndex,
                pipeline.size(),
                ticksSinceContact,
                state == ReplicationState.PROBE,
                state == ReplicationState.SNAPSHOT,
                logRegressions,
                lastLostFrom,
                lastLostTo);
    }
}
