package dev.replication.core;

/**
 * How a leader sends to one follower (etcd's progress states). The rules for moving between
 * states live in {@link FollowerReplication} alone.
 *
 * <p>The snapshot issue adds a third constant, SNAPSHOT (the follower needs entries the leader
 * has already compacted: nothing is appended while a snapshot is being installed, and its
 * acknowledgement leads to {@link #PROBE} just past the snapshot's index); every {@code switch}
 * on this type is exhaustive, so the compiler then points at each rule that needs a case.
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
    REPLICATE
}
