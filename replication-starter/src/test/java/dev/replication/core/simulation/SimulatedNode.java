package dev.replication.core.simulation;

import dev.replication.core.HardState;
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
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated node: durable storage that survives crashes (hard state and {@link MemoryLog}),
 * and the volatile rest (the {@link Replica}, the state machine) that a crash loses. Performs a
 * {@link Ready} through {@link Ready#performIn}, the one order the runtime follows too, and can
 * crash at any point of it.
 */
public final class SimulatedNode {

    /** What the simulation watches while a node performs its effects. */
    public interface Observer {
        void persisted(SimulatedNode node, List<LogEntry> entries);

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
        /** The hard state is durable; no message has left. */
        BEFORE_SENDING,
        /** The hard state is durable and the messages sent; only a torn prefix of the new entries is stored. */
        WHILE_APPENDING
    }

    private final ReplicaConfig config;
    private final SplittableRandom random;
    private HardState hardState = HardState.INITIAL;
    private final MemoryLog log = new MemoryLog();
    private Replica replica;
    private KeyValueStateMachine stateMachine;
    private int incarnation;
    private long pausedUntilTick = -1;

    public SimulatedNode(ReplicaConfig config, long seed) {
        this.config = config;
        this.random = new SplittableRandom(seed);
        start();
    }

    public String id() {
        return config.id();
    }

    private void start() {
        incarnation++;
        // Counted, not drawn: the seed's random stream stays as it was.
        replica = new Replica(config.withIncarnation(incarnation), hardState, log, random.split());
        stateMachine = new KeyValueStateMachine();
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

    /** Performs the pending Ready completely, in the contract's order, then advances the replica. */
    public void sync(SimulatedNetwork network, Observer observer) {
        Ready ready = replica.ready();
        ready.performIn(new Effects(network, observer, null, 0));
        replica.advance(ready);
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
        public void send(List<Message> messages) {
            if (!downBy(CrashPoint.BEFORE_SENDING)) {
                messages.forEach(network::send);
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
                messages.forEach(network::send);
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
