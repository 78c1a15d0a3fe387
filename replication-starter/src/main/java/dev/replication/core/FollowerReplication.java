package dev.replication.core;

/**
 * The leader's view of one follower (etcd's {@code Progress}): how far its log matches, what to
 * send next, and the window of appends in flight. One {@link ReplicationState} decides what may
 * be sent, and every change of state goes through {@link #becomeProbe} or {@link
 * #becomeReplicate}, so the rules for moving between states are in this class and nowhere else:
 *
 * <ul>
 *   <li>PROBE to REPLICATE when the follower acknowledges a match ({@link #matched});
 *   <li>REPLICATE to PROBE when the follower rejects an append, or the oldest append in flight
 *       has gone unanswered too long and is presumed lost ({@link #rejected}, {@link #tick});
 *   <li>PROBE to PROBE, one step lower, when the follower rejects the probe itself;
 *   <li>either to PROBE, below the match index, when the follower proves it lost entries it had
 *       acknowledged ({@link #lostEntries}).
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
        if (state == ReplicationState.PROBE) {
            becomeReplicate(Math.max(matchIndex, index) + 1); // the logs agree up to index
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
        if (rejectedPrevIndex < matchIndex || (state == ReplicationState.PROBE && rejectedPrevIndex != nextIndex - 1)) {
            return false;
        }
        becomeProbe(Math.max(matchIndex + 1, probeFrom));
        return true;
    }

    /** Counts a tick; an append unanswered for {@code lostAfterTicks} sends us back to probing. */
    void tick(long nowTick, long lostAfterTicks) {
        ticksSinceContact++;
        if (state == ReplicationState.REPLICATE && pipeline.oldestOlderThan(lostAfterTicks, nowTick)) {
            becomeProbe(matchIndex + 1);
        }
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
                logRegressions,
                lastLostFrom,
                lastLostTo);
    }
}
