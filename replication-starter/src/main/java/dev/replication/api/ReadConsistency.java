package dev.replication.api;

/** How fresh a read must be. */
public enum ReadConsistency {
    /**
     * Served from this node's applied state at once; on a follower it may be behind the leader
     * by up to the replication lag. Never returns a value that was not written.
     */
    STALE,
    /**
     * Reflects every write acknowledged before the read started, on any node: the node obtains
     * a read index confirmed by a heartbeat round of the leader and waits until it has applied
     * it. Costs a round trip to a quorum, no log write.
     */
    LINEARIZABLE
}
