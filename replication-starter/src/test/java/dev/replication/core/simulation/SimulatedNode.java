package dev.replication.core.simulation;

import dev.replication.core.HardState;
import dev.replication.core.InstallSnapshot;
import dev.replication.core.LogEntry;
import dev.replication.core.LostEntries;
import dev.replication.core.Message;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.Ready;
import dev.replication.core.ReadyEffects;
import dev.replication.core.Replica;
import dev.replication.core.ReplicaConfig;
import dev.replication.core.RoleState;
import dev.replication.core.SnapshotInstall;
import dev.replication.core.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated node: durable storage that survives crashes (hard state, {@link MemoryLog}, its
 * snapshot and the snapshots received from leaders), and the volatile rest (the {@link Replica},
 * the state machine) that a crash loses. Performs a {@link Ready} through {@link Ready#performIn},
 * the one order the runtime follows too, and can crash at any point of it.
 *
 * <p>Snapshots ({@link SnapshotOptions}): after a sync that applied enough entries, the node
 * writes its state machine's snapshot durably, then reports {@link Replica#compact} and only then
 * deletes the log below a random margin, the order the runtime must keep. A snapshot sent to a
 * follower travels with its {@link InstallSnapshot}; the follower stores it aside durably on
 * arrival and swaps it in (state machine and log) when its Ready says so. On restart a node
 * restores its durable snapshot, then its log.
 */
public final class SimulatedNode {

    /** What the simulation watches while a node performs its effects. */
    public interface Observer {
        void persisted(SimulatedNode node, List<LogEntry> entries);

        /** The node took a snapshot of its state machine and keeps its log from {@code firstKept}. */
        void snapshotTaken(SimulatedNode node, SimulatedSnapshot snapshot, long firstKept);

        /** The node swapped in a leader's snapshot; its state machine now holds it. */
        void snapshotInstalled(SimulatedNode node, SimulatedSnapshot snapshot);

        void applied(SimulatedNode node, LogEntry entry, Object result);

        /** Read indexes now known, and reads refused; after this Ready's entries were applied. */
        void reads(SimulatedNode node, List<ReadState> readStates, List<ReadRejection> readRejections);

        /** A leader found followers that lost entries they had acknowledged. */
        void followerLostEntries(SimulatedNode leader, List<LostEntries> lost);

        void roleChanged(SimulatedNode node, RoleState roleState);
    }

    /**
     * Where a crash strikes while a node performs a {@link Ready}, in the contract's order. A
     * crash after the acknowledgements is an ordinary {@link #crash()}.
     */
    public enum CrashPoint {
        /** Nothing of the Ready is stored or sent. */
        BEFORE_HARD_STATE,
        /**
         * The hard state is durable; a snapshot to install is stored aside but not yet swapped in:
         * after a restart the node has its old state and log.
         */
        WHILE_INSTALLING,
        /** The hard state (and any snapshot install) is durable; no message has left. */
        BEFORE_SENDING,
        /** The hard state is durable and the messages sent; only a torn prefix of the new entries is stored. */
        WHILE_APPENDING
    }

    private final ReplicaConfig config;
    private final SplittableRandom random;

    private HardState hardState = HardState.INITIAL;
    private final MemoryLog log = new MemoryLog();
    private final SnapshotStore snapshots;

    private Replica replica;
    private KeyValueStateMachine stateMachine;

    private int incarnation;
    private long pausedUntilTick = -1;

    public SimulatedNode(ReplicaConfig config, long seed) {
        this(config, seed, SnapshotOptions.OFF);
    }

    public SimulatedNode(ReplicaConfig config, long seed, SnapshotOptions snapshots) {
        this.config = config;
        this.random = new SplittableRandom(seed);
        this.snapshots = new SnapshotStore(snapshots, seed ^ 0x5eed_5eedL);
        start();
    }

    public String id() {
        return config.id();
    }

    private void start() {
        incarnation++;
        stateMachine = new KeyValueStateMachine();
        SnapshotMeta base = SnapshotMeta.NONE;
        SimulatedSnapshot durableSnapshot = snapshots.durable();
        if (durableSnapshot != null) {
            restore(durableSnapshot);
            base = new SnapshotMeta(durableSnapshot.index(), durableSnapshot.generation());
        }
        if (log.firstIndex() > base.index() + 1) {
            throw new SafetyViolation(id() + " restarts with a durable snapshot up to " + base.index()
                    + " and a durable log from " + log.firstIndex() + ": entries " + (base.index() + 1) + ".."
                    + (log.firstIndex() - 1) + " it had applied are in neither (compacted before a durable"
                    + " snapshot covered them)");
        }
        snapshots.restarted();
        // Counted, not drawn: the seed's random stream stays as it was.
        replica = new Replica(config.withIncarnation(incarnation), hardState, base, log, random.split());
    }

    private void restore(SimulatedSnapshot snapshot) {
        try {
            stateMachine.restoreSnapshot(snapshot.index(), new ByteArrayInputStream(snapshot.data()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isUp() {
        return replica != null;
    }

    /** Crashed nodes and paused nodes take no events. */
    public boolean isRunning(long now) {
        return replica != null && now >= pausedUntilTick;
    }

    public boolean isPaused(long now) {
        return replica != null && now < pausedUntilTick;
    }

    /** Whether a pause of this node ends exactly at {@code now}. */
    public boolean resumesAt(long now) {
        return replica != null && pausedUntilTick == now;
    }

    public void pauseUntil(long tick) {
        pausedUntilTick = tick;
    }

    public Replica replica() {
        return replica;
    }

    public KeyValueStateMachine stateMachine() {
        return stateMachine;
    }

    public MemoryLog durableLog() {
        return log;
    }

    public HardState durableHardState() {
        return hardState;
    }

    /** The snapshot a restart restores, or null. */
    public SimulatedSnapshot durableSnapshot() {
        return snapshots.durable();
    }

    /** Makes this node crash right after its next snapshot is durable, before it compacts. */
    public void crashAfterNextSnapshot() {
        snapshots.planCrashAfterNext(true);
    }

    /** Every fault heals: a crash planned for the next snapshot no longer comes. */
    public void cancelPlannedCrash() {
        snapshots.planCrashAfterNext(false);
    }

    public int incarnation() {
        return incarnation;
    }

    /** Loses everything not persisted. */
    public void crash() {
        replica = null;
        stateMachine = null;
        pausedUntilTick = -1;
    }

    public void restart() {
        if (replica == null) {
            start();
        }
    }

    /** A message arrives: a snapshot attached to it is stored aside (durably) first. */
    public void deliver(SimulatedNetwork.Delivery delivery) {
        if (delivery.snapshot() != null) {
            snapshots.received(delivery.snapshot());
        }
        replica.receive(delivery.message());
    }

    /**
     * Performs the pending Ready completely, in the contract's order, then advances the replica;
     * then takes a snapshot if one is due (which may crash the node if {@link
     * #crashAfterNextSnapshot} was armed).
     */
    public void sync(SimulatedNetwork network, Observer observer) {
        snapshots.syncing();
        Ready ready = replica.ready();
        ready.performIn(new Effects(network, observer, null, 0));
        replica.advance(ready);
        snapshotIfDue(observer);
    }

    /**
     * Snapshot, then compaction, in the order that keeps every applied entry in the durable
     * snapshot or the log: the snapshot is durable before the replica is told, and the replica is
     * told before any entry is deleted.
     */
    private void snapshotIfDue(Observer observer) {
        long applied = stateMachine.appliedIndex();
        if (!snapshots.due(applied)) {
            return;
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        try {
            stateMachine.writeSnapshot(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long generation = replica.log().generationAt(applied);
        SimulatedSnapshot snapshot =
                new SimulatedSnapshot(applied, generation, data.toByteArray(), log.prefixHash(applied));
        if (!snapshots.taken(snapshot)) {
            crash(); // between the snapshot and the compaction: restarts from both
            return;
        }
        long firstKept = snapshots.firstKept(applied, log.firstIndex());
        replica.compact(applied, generation, firstKept);
        log.deleteBelow(firstKept);
        observer.snapshotTaken(this, snapshot, firstKept);
    }

    /**
     * Performs the pending Ready until a crash strikes at {@code point}, then crashes: what the
     * contract had not yet made durable is lost, what it had not yet sent never leaves. While
     * appending, only the first {@code tornEntries} new entries reach the disk.
     */
    public void crashDuringSync(SimulatedNetwork network, Observer observer, CrashPoint point, int tornEntries) {
        replica.ready().performIn(new Effects(network, observer, point, tornEntries));
        crash();
    }

    private void store(List<LogEntry> entries, Observer observer) {
        if (!entries.isEmpty()) {
            log.append(entries);
            observer.persisted(this, entries);
        }
    }

    /**
     * The node's side of the {@link Ready} contract: {@link Ready#performIn} calls these in the
     * contract's order, and an injected crash stops them at its point. Every crash point lies
     * before the acknowledgements, so a crashing node sends nothing after appending.
     */
    private final class Effects implements ReadyEffects {

        private final SimulatedNetwork network;
        private final Observer observer;
        /** Null: no crash. */
        private final CrashPoint crashAt;

        private final int tornEntries;

        Effects(SimulatedNetwork network, Observer observer, CrashPoint crashAt, int tornEntries) {
            this.network = network;
            this.observer = observer;
            this.crashAt = crashAt;
            this.tornEntries = tornEntries;
        }

        /** Whether the node is down by the time it reaches {@code point} of the Ready. */
        private boolean downBy(CrashPoint point) {
            return crashAt != null && crashAt.compareTo(point) <= 0;
        }

        @Override
        public void persistHardState(HardState state) {
            if (!downBy(CrashPoint.BEFORE_HARD_STATE)) {
                hardState = state;
            }
        }

        @Override
        public void installSnapshot(SnapshotInstall install) {
            if (downBy(CrashPoint.WHILE_INSTALLING)) {
                return;
            }
            SimulatedSnapshot snapshot = snapshots.toInstall(install);
            // Swapped in at once (the runtime renames the file aside into place): log, then state.
            if (install.keepSuffix()) {
                if (log.prefixHash(install.index()) != snapshot.prefixHash()) {
                    throw new SafetyViolation("log matching broken at " + id() + ": its entry " + install.index()
                            + " has the snapshot's generation but another history before it");
                }
                log.deleteBelow(install.index() + 1);
            } else {
                log.resetAfter(install.index(), snapshot.prefixHash());
            }
            snapshots.installed(snapshot);
            restore(snapshot);
            observer.snapshotInstalled(SimulatedNode.this, snapshot);
        }

        @Override
        public void send(List<Message> messages) {
            if (!downBy(CrashPoint.BEFORE_SENDING)) {
                messages.forEach(this::sendOne);
            }
        }

        /** An install carries this node's snapshot, the one the replica compacted to. */
        private void sendOne(Message message) {
            if (message instanceof InstallSnapshot install) {
                SimulatedSnapshot latestSnapshot = snapshots.latest();
                if (latestSnapshot == null || latestSnapshot.index() != install.snapshotIndex()) {
                    throw new IllegalStateException(
                            id() + " sends " + install + " but its snapshot is " + latestSnapshot);
                }
                network.send(message, latestSnapshot);
            } else {
                network.send(message);
            }
        }

        @Override
        public void append(List<LogEntry> entries) {
            if (crashAt == CrashPoint.WHILE_APPENDING) {
                store(entries.subList(0, Math.min(tornEntries, entries.size())), observer);
            } else if (!downBy(CrashPoint.WHILE_APPENDING)) {
                store(entries, observer);
            }
        }

        @Override
        public void afterPersist(List<Message> messages, long lastIndex, long lastGeneration) {
            if (crashAt == null) {
                messages.forEach(this::sendOne);
                if (lastIndex > 0) {
                    replica.persisted(lastIndex, lastGeneration);
                }
            }
        }

        @Override
        public void apply(LogEntry committed) {
            if (crashAt == null) {
                observer.applied(SimulatedNode.this, committed, stateMachine.apply(committed));
            }
        }

        @Override
        public void reads(List<ReadState> readStates, List<ReadRejection> readRejections) {
            if (crashAt == null) {
                observer.reads(SimulatedNode.this, readStates, readRejections);
            }
        }

        @Override
        public void followerLostEntries(List<LostEntries> lost) {
            if (crashAt == null) {
                observer.followerLostEntries(SimulatedNode.this, lost);
            }
        }

        @Override
        public void roleChanged(RoleState roleState) {
            if (crashAt == null) {
                observer.roleChanged(SimulatedNode.this, roleState);
            }
        }
    }
}
