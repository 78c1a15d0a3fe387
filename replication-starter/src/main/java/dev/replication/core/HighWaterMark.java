package dev.replication.core;

/**
 * The commit index (High-Water Mark): the largest log index known to be stored on a majority.
 * It never moves back. A leader advances it only to an entry of its own generation (entries of
 * earlier generations commit together with it); a follower learns it from the leader, bounded
 * by the index its own log is known to match.
 */
public final class HighWaterMark {

    private long index;

    public HighWaterMark() {
        this(0);
    }

    /** Starts at {@code index}, e.g. a restored snapshot's index: what it covers is committed. */
    public HighWaterMark(long index) {
        this.index = index;
    }

    public long index() {
        return index;
    }

    /**
     * Leader rule: {@code majorityIndex} (from {@link MajorityQuorum#committedIndex}) becomes
     * committed only if the entry there is of {@code currentGeneration}; counting replicas of an
     * older entry is not enough, a later leader could still overwrite it.
     *
     * @return whether the mark moved
     */
    public boolean advanceAsLeader(long majorityIndex, long generationAtMajorityIndex, long currentGeneration) {
        if (majorityIndex <= index || generationAtMajorityIndex != currentGeneration) {
            return false;
        }
        index = majorityIndex;
        return true;
    }

    /**
     * Follower rule: adopt the leader's mark, but never beyond {@code matchedIndex}, the last
     * index this follower has just verified against the leader's log.
     *
     * @return whether the mark moved
     */
    public boolean advanceAsFollower(long leaderIndex, long matchedIndex) {
        long candidate = Math.min(leaderIndex, matchedIndex);
        if (candidate <= index) {
            return false;
        }
        index = candidate;
        return true;
    }
}
