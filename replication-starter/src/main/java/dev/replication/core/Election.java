package dev.replication.core;

import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The election timer (HeartBeat) and the tally of one campaign. The timeout is drawn from
 * {@code [timeout, 2 * timeout)} with the driver's generator at every reset, so that followers
 * rarely time out together and split the vote.
 */
final class Election {

    private final int timeoutTicks;
    private final RandomGenerator random;
    private int elapsedTicks;
    private int randomizedTimeoutTicks;
    private final Map<String, Boolean> votes = new HashMap<>();

    Election(int timeoutTicks, RandomGenerator random) {
        this.timeoutTicks = timeoutTicks;
        this.random = random;
        resetTimer();
    }

    /** Restarts the timer with a freshly drawn timeout. */
    void resetTimer() {
        elapsedTicks = 0;
        randomizedTimeoutTicks = timeoutTicks + random.nextInt(timeoutTicks);
    }

    /** A message from the current leader arrived: it is alive, start waiting again. */
    void heardFromLeader() {
        elapsedTicks = 0;
    }

    /** Counts one tick; true once the randomized timeout has passed. */
    boolean tickAndCheckTimeout() {
        elapsedTicks++;
        return elapsedTicks >= randomizedTimeoutTicks;
    }

    /**
     * Whether a leader was heard from within the (unrandomized) election timeout. While it has,
     * this node refuses (pre-)votes, so a candidate cannot unseat a live leader.
     */
    boolean leaderRecentlyHeard(@Nullable String leaderId) {
        return leaderId != null && elapsedTicks < timeoutTicks;
    }

    void startTally() {
        votes.clear();
    }

    /** Records a vote (the first answer from each voter counts) and returns the outcome so far. */
    MajorityQuorum.VoteResult record(String voter, boolean granted, int voters) {
        votes.putIfAbsent(voter, granted);
        int yes = 0;
        for (boolean vote : votes.values()) {
            yes += vote ? 1 : 0;
        }
        return MajorityQuorum.voteResult(voters, yes, votes.size() - yes);
    }
}
