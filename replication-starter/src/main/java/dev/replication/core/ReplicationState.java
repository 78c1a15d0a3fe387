package dev.replication.core;

/**
 * How a leader sends to one follower (etcd's progress states). The rules for moving between
 * states live in {@link FollowerReplication} alone; every {@code switch} on this type is
 * exhaustive, so a new state makes the compiler point at each rule that needs a case.
 */
enum ReplicationState {

    /**
     * Where the logs agree is not known: one append at a time from the next index, and the
     * next one only after the follower answered (any answer, a heartbeat acknowledgement too).
     * The next index moves only when a rejection says where to look.
     */
    PROBE,

    /**
     * The logs agree up to the match index: appends are pipelined, as many as the in-flight
     * window holds, with the next index advanced optimistically as each is sent.
     */
    REPLICATE,

    /**
     * The follower needs entries the leader has compacted: an {@link InstallSnapshot} is out and
     * nothing is appended until it is acknowledged (then appends go on just past the
     * acknowledged index), its transfer fails, or it times out (both back to {@link #PROBE}).
     * Heartbeats still flow.
     */
    SNAPSHOT
}
