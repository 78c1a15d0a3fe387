package dev.replication.core;

/**
 * The leader's view of one follower: how far its log matches, what to send next, and the
 * window of appends in flight. Two modes: probing (one append at a time until the logs are known
 * to agree, resent on the next heartbeat acknowledgement) and streaming (appends pipelined with
 * an optimistic next index).
 */
final class FollowerReplication {

    final String id;
    private long matchIndex;
    private long nextIndex;
    private boolean probing = true;
    /** Probing: an append is out and we wait for an answer before sending another. */
    private boolean probePaused;
    private final RequestPipeline pipeline;
    private long ticksSinceContact;
    /** Heard from within the current check-quorum period. */
    private boolean recentlyActive;
    /** Highest heartbeat round this follower has acknowledged in the current generation. */
    private long acknowledgedRound;

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

    boolean probing() {
        return probing;
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
        return probing ? !probePaused : !pipeline.isFull();
    }

    void sent(long lastIndex, long bytes, long nowTick) {
        if (probing) {
            probePaused = true;
        } else {
            nextIndex = lastIndex + 1;
            pipeline.add(lastIndex, bytes, nowTick);
        }
    }

    /** Any answer at the current generation: the follower is alive and accepts this leader. */
    void heardFrom(long round) {
        ticksSinceContact = 0;
        recentlyActive = true;
        acknowledgedRound = Math.max(acknowledgedRound, round);
        probePaused = false;
    }

    /**
     * The follower matched up to {@code index}.
     *
     * @return whether the match index grew
     */
    boolean matched(long index) {
        pipeline.acknowledgeUpTo(index);
        if (probing) {
            probing = false; // the logs agree up to index: stream from here
            pipeline.clear();
            nextIndex = Math.max(matchIndex, index) + 1;
        }
        nextIndex = Math.max(nextIndex, index + 1);
        if (index <= matchIndex) {
            return false;
        }
        matchIndex = index;
        return true;
    }

    /**
     * The follower rejected an append at {@code rejectedPrevIndex}: go back to probing from
     * {@code probeFrom}.
     *
     * @return false if the rejection is stale (already below what is known to match)
     */
    boolean rejected(long rejectedPrevIndex, long probeFrom) {
        if (rejectedPrevIndex < matchIndex || (probing && rejectedPrevIndex != nextIndex - 1)) {
            return false;
        }
        probing = true;
        probePaused = false;
        pipeline.clear();
        nextIndex = Math.max(matchIndex + 1, probeFrom);
        return true;
    }

    /** Counts a tick; an append unanswered for {@code lostAfterTicks} sends us back to probing. */
    void tick(long nowTick, long lostAfterTicks) {
        ticksSinceContact++;
        if (!probing && pipeline.oldestOlderThan(lostAfterTicks, nowTick)) {
            probing = true;
            probePaused = false;
            pipeline.clear();
            nextIndex = matchIndex + 1;
        }
    }

    FollowerProgress progress() {
        return new FollowerProgress(matchIndex, nextIndex, pipeline.size(), ticksSinceContact, probing);
    }
}
