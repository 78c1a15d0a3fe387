package dev.replication.core;

import java.util.Arrays;

/** Majority arithmetic (Quorum), as pure functions so it can be checked against tables. */
public final class MajorityQuorum {

    /** The outcome of counting votes. */
    public enum VoteResult {
        WON,
        LOST,
        PENDING
    }

    private MajorityQuorum() {}

    /** The smallest number of voters that is a majority of {@code voters}. */
    public static int quorumSize(int voters) {
        return voters / 2 + 1;
    }

    /**
     * The largest value that a majority of the voters has reached: for match indexes, the
     * largest index stored on a majority. One value per voter.
     */
    public static long committedIndex(long[] valuePerVoter) {
        if (valuePerVoter.length == 0) {
            throw new IllegalArgumentException("no voters: a quorum needs at least one value");
        }
        long[] sorted = valuePerVoter.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - quorumSize(sorted.length)];
    }

    /** Whether {@code granted} and {@code rejected} of {@code voters} votes decide an election. */
    public static VoteResult voteResult(int voters, int granted, int rejected) {
        int quorum = quorumSize(voters);
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (voters - rejected < quorum) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
