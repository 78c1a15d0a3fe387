package dev.replication.core.simulation;

import static dev.replication.core.simulation.ClusterSimulation.ELECTION_TIMEOUT;

import dev.replication.core.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of a random run, drawn from the simulation's seeded generator: crashes (also in the
 * middle of performing a Ready, and right after a snapshot before its compaction), restarts,
 * partitions, one-way link failures, long pauses, network loss/duplication/delay, and the
 * profiles' special faults (frozen minorities, one power loss with an unsynced tail).
 */
final class FaultInjector {

    private final ClusterSimulation cluster;
    private final SplittableRandom random;
    /** Whether this run's one power loss with an unsynced tail has happened. */
    private boolean tailLost;

    FaultInjector(ClusterSimulation cluster, SplittableRandom random) {
        this.cluster = cluster;
        this.random = random;
    }

    /** One fault of {@code profile}. */
    void inject(ClusterSimulation.FaultProfile profile) {
        if (profile == ClusterSimulation.FaultProfile.FROZEN_MINORITY) {
            freezeMinority();
        } else if (profile == ClusterSimulation.FaultProfile.LOST_UNSYNCED_TAIL
                && !tailLost
                && random.nextInt(3) == 0) {
            loseUnsyncedTail();
        } else {
            fault();
        }
    }

    private void fault() {
        int kind = random.nextInt(15);
        SimulatedNode node = cluster.nodes().get(random.nextInt(cluster.nodes().size()));
        SimulatedNode leader = cluster.leader();
        if (leader != null && random.nextBoolean()) {
            node = leader; // faults at the leader make the most interesting histories
        }
        switch (kind) {
            case 0, 1 -> {
                if (node.isUp()) {
                    cluster.crash(node.id());
                }
            }
            case 2, 3 -> crashDuringSync();
            case 4, 5, 6 -> restartOne();
            case 7 -> {
                List<String> group = new ArrayList<>();
                group.add(node.id());
                for (SimulatedNode candidate : cluster.nodes()) {
                    if (candidate != node && random.nextInt(3) == 0) {
                        group.add(candidate.id());
                    }
                }
                cluster.partition(group.toArray(String[]::new));
            }
            case 8 -> {
                SimulatedNode other =
                        cluster.nodes().get(random.nextInt(cluster.nodes().size()));
                if (other != node) {
                    boolean inbound = random.nextBoolean();
                    cluster.network().block(inbound ? other.id() : node.id(), inbound ? node.id() : other.id());
                    cluster.trace("block", inbound ? other.id() + " -> " + node.id() : node.id() + " -> " + other.id());
                }
            }
            case 9, 10 -> cluster.heal();
            case 14 -> {
                if (node.isUp()) {
                    node.crashAfterNextSnapshot();
                    cluster.trace("arm", node.id() + " crashes after its next snapshot, before compacting");
                }
            }
            case 11 -> {
                // A long pause (the GC pause of the seeds), sometimes of a minority at once, so
                // that a stale leader and its followers wake up together still trusting it.
                long until = cluster.now() + ELECTION_TIMEOUT + random.nextInt(4 * ELECTION_TIMEOUT);
                List<SimulatedNode> paused = new ArrayList<>();
                paused.add(node);
                if (random.nextBoolean()) {
                    for (SimulatedNode other : cluster.nodes()) {
                        if (other != node && paused.size() < (cluster.nodes().size() - 1) / 2 && random.nextBoolean()) {
                            paused.add(other);
                        }
                    }
                }
                for (SimulatedNode member : paused) {
                    if (member.isRunning(cluster.now())) {
                        member.pauseUntil(until);
                        cluster.trace("pause", member.id() + " until t" + until);
                    }
                }
                if (random.nextBoolean()) {
                    // ... and cut off too (a frozen rack): they wake up knowing nothing newer.
                    cluster.partition(paused.stream().map(SimulatedNode::id).toArray(String[]::new));
                }
            }
            default -> {
                double loss = random.nextInt(3) == 0 ? 0 : random.nextDouble() * 0.15;
                double duplication = random.nextInt(3) == 0 ? 0 : random.nextDouble() * 0.1;
                int delay = random.nextInt(4);
                cluster.network().setFaults(loss, duplication, delay);
                cluster.trace("network", "loss " + loss + " duplication " + duplication + " delay<=" + delay);
            }
        }
    }

    private void freezeMinority() {
        for (SimulatedNode node : cluster.nodes()) {
            if (node.isPaused(cluster.now())) {
                return;
            }
        }
        if (!cluster.network().blockedLinks().isEmpty()) {
            cluster.heal();
            return;
        }
        SimulatedNode leader = cluster.leader();
        if (leader == null) {
            return;
        }
        List<SimulatedNode> island = new ArrayList<>(List.of(leader));
        if (cluster.nodes().size() >= 5) {
            List<SimulatedNode> followers = new ArrayList<>(cluster.nodes());
            followers.remove(leader);
            island.add(followers.get(random.nextInt(followers.size())));
        }
        long until = cluster.now() + 2 * ELECTION_TIMEOUT + random.nextInt(3 * ELECTION_TIMEOUT);
        for (SimulatedNode member : island) {
            member.pauseUntil(until);
            cluster.trace("pause", member.id() + " until t" + until);
        }
        cluster.partition(island.stream().map(SimulatedNode::id).toArray(String[]::new));
    }

    /**
     * A power loss on a running follower (the leader if there is none) that drops some of the
     * last entries of its durable log, as an unsynced tail it had already acknowledged: never
     * more than a quorum of the other nodes holds durably, and never into its durable snapshot.
     */
    private void loseUnsyncedTail() {
        SimulatedNode leader = cluster.leader();
        List<SimulatedNode> candidates = new ArrayList<>();
        for (SimulatedNode candidate : cluster.nodes()) {
            if (candidate.isUp() && candidate != leader) {
                candidates.add(candidate);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        SimulatedNode node = candidates.get(random.nextInt(candidates.size()));
        MemoryLog log = node.durableLog();
        // Never into its snapshot: the checkpoint is synced even when the log is not.
        long floor = Math.max(log.firstIndex(), snapshotIndex(node) + 1);
        long lowest = log.lastIndex() + 1;
        while (lowest > floor && heldByQuorumOfOthers(node, log.entry(lowest - 1))) {
            lowest--;
        }
        if (lowest > log.lastIndex()) {
            return; // nothing it may lose yet
        }
        long keep = lowest - 1 + random.nextLong(log.lastIndex() - lowest + 1);
        tailLost = true;
        cluster.trace("power-loss", node.id() + " keeps its log up to " + keep + " of " + log.lastIndex());
        cluster.crash(node.id());
        log.truncateAfter(keep);
    }

    private boolean heldByQuorumOfOthers(SimulatedNode node, LogEntry entry) {
        int holders = 0;
        for (SimulatedNode other : cluster.nodes()) {
            MemoryLog log = other.durableLog();
            boolean inLog = log.firstIndex() <= entry.index()
                    && log.lastIndex() >= entry.index()
                    && log.entry(entry.index()).equals(entry);
            // A snapshot covers only committed entries, the same on every node.
            if (other != node && (inLog || entry.index() <= snapshotIndex(other))) {
                holders++;
            }
        }
        return holders >= cluster.nodes().size() / 2 + 1;
    }

    /** A crash while performing effects, at a random point of the Ready contract. */
    private void crashDuringSync() {
        List<SimulatedNode> candidates = new ArrayList<>();
        for (SimulatedNode candidate : cluster.nodes()) {
            if (candidate.isRunning(cluster.now()) && candidate.replica().hasReady()) {
                candidates.add(candidate);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        List<SimulatedNode> installing = new ArrayList<>();
        for (SimulatedNode candidate : candidates) {
            if (candidate.replica().ready().snapshotToInstall() != null) {
                installing.add(candidate);
            }
        }
        SimulatedNode.CrashPoint[] points = SimulatedNode.CrashPoint.values();
        SimulatedNode node;
        SimulatedNode.CrashPoint point;
        if (!installing.isEmpty() && random.nextBoolean()) {
            // Installs are rare: aim at them, just before and just after the swap.
            node = installing.get(random.nextInt(installing.size()));
            point = random.nextBoolean()
                    ? SimulatedNode.CrashPoint.WHILE_INSTALLING
                    : SimulatedNode.CrashPoint.BEFORE_SENDING;
        } else {
            node = candidates.get(random.nextInt(candidates.size()));
            point = points[random.nextInt(points.length)];
        }
        int torn = random.nextInt(3);
        cluster.trace(
                "crash-during-sync",
                node.id() + " " + point
                        + (point == SimulatedNode.CrashPoint.WHILE_APPENDING
                                ? " keeping " + torn + " new entries"
                                : ""));
        node.crashDuringSync(cluster.network(), cluster, point, torn);
        cluster.workload().crashed(node);
    }

    private void restartOne() {
        List<SimulatedNode> down = new ArrayList<>();
        for (SimulatedNode candidate : cluster.nodes()) {
            if (!candidate.isUp()) {
                down.add(candidate);
            }
        }
        if (!down.isEmpty()) {
            cluster.restart(down.get(random.nextInt(down.size())).id());
        }
    }

    private static long snapshotIndex(SimulatedNode node) {
        return node.durableSnapshot() == null ? 0 : node.durableSnapshot().index();
    }
}
