package dev.replication.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Timings and limits of one node. Time in the core is counted in ticks of {@code tickInterval};
 * the election timeout and heartbeat interval are converted to ticks here.
 *
 * @param nodeId this node's id, unique in the cluster
 * @param voters the ids of the initial voting members, including this node
 * @param tickInterval the core's unit of time; smaller is more precise and costs more wake-ups
 * @param electionTimeout how long a follower waits without hearing from a leader before it
 *     campaigns (randomized in [timeout, 2 x timeout) by the core). Shorter fails over faster;
 *     too short causes needless elections under GC pauses or slow disks. Must be several
 *     heartbeat intervals.
 * @param heartbeatInterval how often the leader contacts idle followers
 * @param maxInflightAppends append messages in flight per follower (Request Pipeline window)
 * @param maxEntriesPerAppend entries per append message
 * @param maxBytesPerAppend payload bytes per append message
 * @param queueCapacity client requests (writes, reads, writes forwarded to this leader) in
 *     progress, admitted and not yet answered, before new ones are refused at once (a write "not
 *     applied", a read "unavailable"; both true, nothing entered); separately, peer messages
 *     queued before new ones are dropped (safe: the core resends). The node's own events (ticks,
 *     fsync completions, retries, waits for an applied index) are never refused: they are
 *     bounded by these requests
 * @param maxReadLag how many entries a node may be behind a read's required index and still
 *     wait for it; further behind, the read fails fast with a clear error
 */
public record NodeSettings(
        String nodeId,
        Set<String> voters,
        Duration tickInterval,
        Duration electionTimeout,
        Duration heartbeatInterval,
        int maxInflightAppends,
        int maxEntriesPerAppend,
        long maxBytesPerAppend,
        int queueCapacity,
        long maxReadLag) {

    public NodeSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        voters = Set.copyOf(voters);
        if (!voters.contains(nodeId)) {
            throw new IllegalArgumentException("voters " + voters + " must include this node '" + nodeId + "'");
        }
        requirePositive(tickInterval, "tickInterval");
        requirePositive(electionTimeout, "electionTimeout");
        requirePositive(heartbeatInterval, "heartbeatInterval");
        if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("electionTimeout (" + electionTimeout
                    + ") must be at least 3 x heartbeatInterval (" + heartbeatInterval
                    + ") so that one lost heartbeat does not start an election");
        }
        if (heartbeatInterval.compareTo(tickInterval) < 0) {
            throw new IllegalArgumentException(
                    "heartbeatInterval (" + heartbeatInterval + ") must be at least one tick (" + tickInterval + ")");
        }
    }

    /** Defaults suited to a LAN or loopback cluster. */
    public static NodeSettings defaults(String nodeId, Set<String> voters) {
        return new NodeSettings(
                nodeId,
                voters,
                Duration.ofMillis(50),
                Duration.ofMillis(1000),
                Duration.ofMillis(100),
                16,
                512,
                1 << 20,
                10_000,
                100_000);
    }

    public int electionTimeoutTicks() {
        return ticks(electionTimeout);
    }

    public int heartbeatIntervalTicks() {
        return ticks(heartbeatInterval);
    }

    private int ticks(Duration duration) {
        return (int) Math.max(1, duration.toNanos() / tickInterval.toNanos());
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + duration);
        }
    }
}
