package dev.replication.core;

/**
 * Follower to leader (Follower Reads): "tell me a commit index that is safe to serve a
 * linearizable read at". The leader answers only after a heartbeat round of its own confirms
 * it is still the leader.
 *
 * @param requestId chosen by the follower, echoed in the response
 * @param incarnation the follower's {@link ReplicaConfig#incarnation()}, echoed in the response:
 *     request ids restart with the process, so the id alone could match an answer meant for the
 *     process before
 */
public record ReadIndexRequest(String from, String to, long generation, long requestId, long incarnation)
        implements Message {}
