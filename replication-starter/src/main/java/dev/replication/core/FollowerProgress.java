package dev.replication.core;

/**
 * What a leader knows about one follower, for operators (Actuator).
 *
 * @param matchIndex the highest index known to be stored on the follower
 * @param nextIndex the next index the leader will send
 * @param inflightAppends append messages sent and not yet acknowledged
 * @param ticksSinceLastContact ticks since the leader last heard from the follower
 * @param probing whether the leader is searching for the point where the logs agree (one append
 *     at a time) rather than streaming (pipelined appends)
 * @param installingSnapshot whether the follower is being sent a snapshot (it needs entries the
 *     leader has compacted); nothing is appended to it meanwhile
 * @param logRegressions how often, while this node leads, the follower proved it lost entries it
 *     had acknowledged (see {@link LostEntries})
 * @param lastLostFrom first index of the latest such loss (0: none)
 * @param lastLostTo last index of the latest such loss (0: none)
 */
public record FollowerProgress(
        long matchIndex,
        long nextIndex,
        int inflightAppends,
        long ticksSinceLastContact,
        boolean probing,
        boolean installingSnapshot,
        long logRegressions,
        long lastLostFrom,
        long lastLostTo) {}
