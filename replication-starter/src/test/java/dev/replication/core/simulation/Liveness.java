package dev.replication.core.simulation;

import static dev.replication.core.simulation.ClusterSimulation.ELECTION_TIMEOUT;

/**
 * The liveness check at the end of a random run: once every fault heals (crashed nodes restart,
 * paused ones resume, the network is reliable), a leader must be elected within 10 election
 * timeouts, and within 60 every node must have applied the leader's whole log and every client
 * operation must be resolved.
 */
final class Liveness {

    private Liveness() {}

    static void healAndSettle(ClusterSimulation cluster) {
        cluster.trace("heal-all", "restart crashed nodes, resume paused ones, reliable network");
        cluster.network().healPartitions();
        cluster.network().setFaults(0, 0, 1);
        for (SimulatedNode node : cluster.nodes()) {
            if (!node.isUp()) {
                node.restart();
            }
            node.pauseUntil(-1);
            node.cancelPlannedCrash();
        }
        long healedAt = cluster.now();
        long leaderBound = 10L * ELECTION_TIMEOUT;
        long settleBound = 60L * ELECTION_TIMEOUT;
        boolean leaderSeen = false;
        while (true) {
            cluster.tickAllNodes();
            cluster.deliverAll();
            SimulatedNode leader = cluster.leader();
            leaderSeen |= leader != null;
            if (!leaderSeen && cluster.now() - healedAt > leaderBound) {
                throw new AssertionError("no leader within " + leaderBound + " ticks after every fault healed");
            }
            if (leader != null && settled(cluster, leader) && cluster.workload().allResolved()) {
                return;
            }
            if (cluster.now() - healedAt > settleBound) {
                throw new AssertionError("not settled within " + settleBound + " ticks after healing: leader "
                        + (leader == null ? "none" : leader.id()) + ", pending client operations: "
                        + cluster.workload().pendingDescription());
            }
        }
    }

    private static boolean settled(ClusterSimulation cluster, SimulatedNode leader) {
        long last = leader.replica().log().lastIndex();
        if (leader.replica().commitIndex() != last) {
            return false;
        }
        for (SimulatedNode node : cluster.nodes()) {
            if (node.stateMachine().appliedIndex() != last) {
                return false;
            }
        }
        return true;
    }
}
