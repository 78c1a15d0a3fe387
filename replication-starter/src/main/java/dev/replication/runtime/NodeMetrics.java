package dev.replication.runtime;

/**
 * What the node reports for monitoring; the Spring layer records it with Micrometer. Called on
 * the update-queue thread (or the log's writer thread for persistence), so implementations
 * must be cheap and never block.
 */
public interface NodeMetrics {

    /** A leader-side proposal went from accepted to applied. */
    void committed(long nanos);

    /** One log append of {@code entries} entries became durable after {@code nanos}. */
    void persisted(int entries, long nanos);

    /** This node started campaigning (became a candidate). */
    void electionStarted();

    /** The known leader changed (to another node or to none). */
    void leaderChanged();

    /**
     * The whole process was paused (GC, SIGSTOP) for {@code millis}, longer than the election
     * timeout; called on the timer thread once the node runs again.
     */
    default void processPaused(long millis) {}

    /** As leader, found that {@code follower} lost entries it had acknowledged (see {@code LostEntries}). */
    void followerLogRegression(String follower);

    /** A checkpoint became durable after {@code millis} (capture, write, sync and Low-Water Mark). */
    default void checkpointed(long millis) {}

    NodeMetrics NONE = new NodeMetrics() {
        @Override
        public void committed(long nanos) {}

        @Override
        public void persisted(int entries, long nanos) {}

        @Override
        public void electionStarted() {}

        @Override
        public void leaderChanged() {}

        @Override
        public void followerLogRegression(String follower) {}
    };
}
