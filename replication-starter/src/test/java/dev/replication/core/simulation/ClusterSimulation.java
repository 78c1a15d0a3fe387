package dev.replication.core.simulation;

import dev.replication.core.LogEntry;
import dev.replication.core.LostEntries;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.ReplicaConfig;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A cluster of simulated nodes driven by one seeded scheduler: every step picks one event
 * (deliver a message, let a node perform its effects, advance time, a client operation, or a
 * fault) from the seed alone, so a seed replays exactly. Invariants are checked after every
 * step; at the end every fault heals, and the cluster must elect a leader and settle every
 * pending operation within a bound, with a linearizable client history.
 *
 * <p>The faults come from {@link FaultInjector}, the final liveness check from {@link Liveness},
 * the safety checks from {@link Invariants}; nodes snapshot and compact as {@link
 * SnapshotOptions} say.
 *
 * <p>Scenario tests drive the same cluster by hand ({@link #tick}, {@link #deliverAll}, {@link
 * #partition}, {@link #crash}, ...).
 */
public final class ClusterSimulation implements SimulatedNode.Observer {

    /** Election timeout of the simulated nodes, in ticks. */
    public static final int ELECTION_TIMEOUT = 10;

    public static final int HEARTBEAT_INTERVAL = 2;

    private final long seed;
    private final SplittableRandom random;
    private final List<SimulatedNode> nodes = new ArrayList<>();
    private final SimulatedNetwork network;
    private final Invariants invariants = new Invariants();
    private final ClientWorkload workload;
    private final Trace trace = new Trace();
    private final double faultRate;
    private long now;
    private long step;
    /** Findings of followers that lost acknowledged entries, reported by leaders. */
    private long lostEntriesFound;

    private final FaultInjector faults;
    private final SnapshotOptions snapshots;
    /** Snapshots taken and installed so far. */
    private long snapshotsTaken;

    private long snapshotsInstalled;

    /** Which faults the random run injects. */
    public enum FaultProfile {
        /** Every kind of fault, at a random rate per seed. */
        MIXED,
        /**
         * Over and over: the leader (and, in five nodes, one follower) frozen and cut off together
         * for a few election timeouts while the majority moves on, then woken up with client reads
         * waiting (the GC pause of the seeds, aimed at reads).
         */
        FROZEN_MINORITY,
        /**
         * {@link #MIXED}, plus once per run a power loss on one node that acknowledged entries
         * before they were fsync'd ({@code fsync-policy=interval}): it crashes and loses the tail
         * of its log, entries it may have acknowledged to the leader. Only a minority may lose
         * acknowledged entries, or committed ones would be lost for good (what the README says of
         * {@code interval}); so the loss is one node per run, and only of entries that a quorum
         * of the other nodes holds durably (that keeps every committed entry on a majority). The
         * leader must notice from the follower's answers and replicate them again (liveness).
         */
        LOST_UNSYNCED_TAIL
    }

    private final FaultProfile profile;

    public ClusterSimulation(long seed, int nodeCount) {
        this(seed, nodeCount, FaultProfile.MIXED);
    }

    public ClusterSimulation(long seed, int nodeCount, FaultProfile profile) {
        this(seed, nodeCount, profile, SnapshotOptions.OFF);
    }

    public ClusterSimulation(long seed, int nodeCount, FaultProfile profile, SnapshotOptions snapshots) {
        this.profile = profile;
        this.snapshots = snapshots;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.network = new SimulatedNetwork(random.split());
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 1; i <= nodeCount; i++) {
            ids.add("n" + i);
        }
        for (String id : ids) {
            ReplicaConfig config = new ReplicaConfig(
                    id,
                    ids,
                    ELECTION_TIMEOUT,
                    HEARTBEAT_INTERVAL,
                    1 + random.nextInt(4),
                    random.nextBoolean() ? 1 : 1 + random.nextInt(4),
                    64 + random.nextInt(256),
                    1_000,
                    0);
            nodes.add(new SimulatedNode(
                    config.withSnapshotTimeoutTicks(snapshots.snapshotTimeoutTicks()), random.nextLong(), snapshots));
        }
        this.workload = new ClientWorkload(
                random.split(), 2 + random.nextInt(4), 2 + random.nextInt(3), 20L * ELECTION_TIMEOUT);
        this.faultRate = 0.002 + random.nextDouble() * 0.03;
        network.setFaults(0, 0, 1);
        this.faults = new FaultInjector(this, random);
    }

    /** A cluster for scripted scenarios: reliable network, no random faults. */
    public static ClusterSimulation scripted(int nodeCount) {
        return scripted(nodeCount, SnapshotOptions.OFF);
    }

    /** A scripted cluster whose nodes snapshot and compact as {@code snapshots} says. */
    public static ClusterSimulation scripted(int nodeCount, SnapshotOptions snapshots) {
        ClusterSimulation cluster = new ClusterSimulation(0, nodeCount, FaultProfile.MIXED, snapshots);
        cluster.network.setFaults(0, 0, 0);
        return cluster;
    }

    /** Ticks (delivering everything after each tick) until a leader exists; fails after a bound. */
    public SimulatedNode electLeader() {
        for (int i = 0; i < 10 * ELECTION_TIMEOUT; i++) {
            SimulatedNode leader = leader();
            if (leader != null
                    && leader.replica().commitIndex() >= leader.replica().log().lastIndex()) {
                return leader;
            }
            ticks(1);
        }
        throw new AssertionError("no leader with a committed no-op after " + 10 * ELECTION_TIMEOUT + " ticks");
    }

    /** {@code count} ticks, delivering everything after each. */
    public void ticks(int count) {
        for (int i = 0; i < count; i++) {
            tick();
            deliverAll();
        }
    }

    public long seed() {
        return seed;
    }

    public ClientWorkload workload() {
        return workload;
    }

    /** How often leaders found a follower that lost entries it had acknowledged. */
    public long lostEntriesFound() {
        return lostEntriesFound;
    }

    public Invariants invariants() {
        return invariants;
    }

    public SimulatedNetwork network() {
        return network;
    }

    public SimulatedNode node(String id) {
        for (SimulatedNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        throw new IllegalArgumentException("no node " + id);
    }

    public List<SimulatedNode> nodes() {
        return nodes;
    }

    public long now() {
        return now;
    }

    // ---- the randomized run -------------------------------------------------------------

    /** Runs {@code steps} random steps, then heals every fault and checks liveness and history. */
    public void run(int steps) {
        for (int i = 0; i < steps; i++) {
            randomStep();
            invariants.checkRoles(nodes);
        }
        Liveness.healAndSettle(this);
        invariants.checkSettled(nodes, workload.history());
    }

    private void randomStep() {
        step++;
        double roll = random.nextDouble();
        if (roll < faultRate) {
            faults.inject(profile);
        } else if (roll < 0.40) {
            deliverOne();
        } else if (roll < 0.70) {
            syncOne();
        } else if (roll < 0.80) {
            tick();
        } else if (roll < 0.88) {
            String issued = workload.issue(nodes, now);
            if (issued != null) {
                trace("client", issued);
            }
        } else {
            deliverOne();
        }
    }

    private void deliverOne() {
        SimulatedNetwork.Delivery delivery = network.takeDeliverable(to -> node(to).isRunning(now));
        if (delivery != null) {
            trace("deliver", delivery.message());
            node(delivery.message().to()).deliver(delivery);
        }
    }

    private void syncOne() {
        List<SimulatedNode> ready = new ArrayList<>();
        for (SimulatedNode node : nodes) {
            if (node.isRunning(now) && node.replica().hasReady()) {
                ready.add(node);
            }
        }
        if (!ready.isEmpty()) {
            sync(ready.get(random.nextInt(ready.size())));
        }
    }

    // ---- scripted steps (also used by the random run) -----------------------------------

    /** One tick for every running node. */
    public void tick() {
        now++;
        network.advanceTo(now);
        trace("tick", null);
        for (SimulatedNode node : nodes) {
            if (node.resumesAt(now)) {
                // A client request reaches a node the moment its pause ends, before anything else.
                String issued = workload.linearizableReadAt(node, now);
                if (issued != null) {
                    trace("client", issued);
                }
            }
        }
        for (SimulatedNode node : nodes) {
            if (node.isRunning(now)) {
                node.replica().tick();
            }
        }
        workload.tick(now);
    }

    /** Ticks only {@code id} (for scripted elections). */
    public void tick(String id, int ticks) {
        for (int i = 0; i < ticks; i++) {
            node(id).replica().tick();
        }
    }

    public void sync(SimulatedNode node) {
        trace("sync", node.id());
        node.sync(network, this);
        if (!node.isUp()) {
            trace("crash", node.id() + " after its snapshot was durable, before compacting");
            workload.crashed(node);
        }
    }

    /** Performs every running node's effects and delivers every deliverable message until quiet. */
    public void deliverAll() {
        for (int rounds = 0; rounds < 1_000; rounds++) {
            boolean progressed = false;
            for (SimulatedNode node : nodes) {
                if (node.isRunning(now) && node.replica().hasReady()) {
                    sync(node);
                    progressed = true;
                }
            }
            for (SimulatedNetwork.Delivery delivery : network.takeAllDeliverable(to -> node(to).isRunning(now))) {
                trace("deliver", delivery.message());
                node(delivery.message().to()).deliver(delivery);
                progressed = true;
            }
            invariants.checkRoles(nodes);
            if (!progressed) {
                return;
            }
        }
        throw new AssertionError("the cluster did not quiesce after 1,000 delivery rounds; messages are"
                + " ping-ponging without end (see the trace)");
    }

    /** Cuts {@code group} off from the rest of the cluster in both directions. */
    public void partition(String... group) {
        Set<String> inside = Set.of(group);
        for (SimulatedNode a : nodes) {
            for (SimulatedNode b : nodes) {
                if (inside.contains(a.id()) != inside.contains(b.id())) {
                    network.block(a.id(), b.id());
                }
            }
        }
        trace("partition", inside);
    }

    public void heal() {
        network.healPartitions();
        trace("heal", null);
    }

    public void crash(String id) {
        SimulatedNode node = node(id);
        trace("crash", id);
        node.crash();
        workload.crashed(node);
    }

    public void restart(String id) {
        trace("restart", id);
        node(id).restart();
    }

    /** The node that leads the highest generation among running nodes, or null. */
    public SimulatedNode leader() {
        SimulatedNode leader = null;
        for (SimulatedNode node : nodes) {
            if (node.isRunning(now)) {
                RoleState state = node.replica().roleState();
                if (state.role() == Role.LEADER
                        && (leader == null
                                || state.generation()
                                        > leader.replica().roleState().generation())) {
                    leader = node;
                }
            }
        }
        return leader;
    }

    // ---- healing, liveness and the history ----------------------------------------------

    /**
     * One tick for every node, paused or not, without the client timeouts of {@link #tick()}:
     * after healing, every operation must resolve by the cluster's answers alone.
     */
    void tickAllNodes() {
        now++;
        network.advanceTo(now);
        for (SimulatedNode node : nodes) {
            node.replica().tick();
        }
    }

    // ---- observer -----------------------------------------------------------------------

    @Override
    public void persisted(SimulatedNode node, List<LogEntry> entries) {
        invariants.checkPersisted(node, entries);
    }

    @Override
    public void snapshotTaken(SimulatedNode node, SimulatedSnapshot snapshot, long firstKept) {
        snapshotsTaken++;
        invariants.checkSnapshot(node, snapshot.index(), snapshot.generation());
        trace(
                "snapshot",
                node.id() + " at " + snapshot.index() + "@g" + snapshot.generation() + ", log kept from " + firstKept);
    }

    @Override
    public void snapshotInstalled(SimulatedNode node, SimulatedSnapshot snapshot) {
        snapshotsInstalled++;
        invariants.checkSnapshot(node, snapshot.index(), snapshot.generation());
        workload.snapshotInstalled(node, snapshot.index(), snapshot.generation());
        trace("install", node.id() + " at " + snapshot.index() + "@g" + snapshot.generation());
    }

    public long snapshotsTaken() {
        return snapshotsTaken;
    }

    public long snapshotsInstalled() {
        return snapshotsInstalled;
    }

    @Override
    public void applied(SimulatedNode node, LogEntry entry, Object result) {
        int before = invariants.committed().size();
        invariants.checkApplied(node, entry);
        if (invariants.committed().size() > before) {
            workload.committed(entry);
        }
        workload.applied(node, entry, result);
    }

    @Override
    public void reads(SimulatedNode node, List<ReadState> readStates, List<ReadRejection> readRejections) {
        workload.readOutcomes(node, readStates, readRejections);
    }

    @Override
    public void followerLostEntries(SimulatedNode leader, List<LostEntries> lost) {
        lostEntriesFound += lost.size();
        trace("lost-entries", leader.id() + " found " + lost);
    }

    @Override
    public void roleChanged(SimulatedNode node, RoleState roleState) {
        trace("role", node.id() + " " + roleState);
    }

    /** One line of figures about the run so far. */
    public String summary() {
        SimulatedNode leader = leader();
        return "seed " + seed + ": " + nodes.size() + " nodes, " + step + " steps, " + now + " ticks, "
                + invariants.committed().size() + " entries committed, generation "
                + (leader == null ? "-" : leader.replica().roleState().generation()) + ", "
                + workload.history().size() + " client operations (" + workload.completedOk() + " ok), "
                + workload.staleReads() + " stale reads, " + lostEntriesFound
                + " followers found to have lost acknowledged entries, "
                + (snapshots.enabled()
                        ? "snapshots every " + snapshots.everyEntries() + " entries (" + snapshotsTaken + " taken, "
                                + snapshotsInstalled + " installed), "
                        : "")
                + "fault rate " + String.format("%.3f", faultRate);
    }

    // ---- trace --------------------------------------------------------------------------

    void trace(String action, Object subject) {
        trace.add(step, now, action, subject);
    }

    /** The last steps, oldest first, one per line. */
    public String traceText() {
        return trace.text();
    }
}
