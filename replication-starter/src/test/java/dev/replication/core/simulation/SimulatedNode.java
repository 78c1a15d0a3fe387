package dev.replication.core.simulation;

import dev.replication.core.HardState;
import dev.replication.core.LogEntry;
import dev.replication.core.Ready;
import dev.replication.core.Replica;
import dev.replication.core.ReplicaConfig;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated node: durable storage that survives crashes (hard state and {@link MemoryLog}),
 * and the volatile rest (the {@link Replica}, the state machine) that a crash loses. Performs a
 * {@link Ready} the way the runtime must: send, persist, then acknowledge, apply, advance.
 */
public final class SimulatedNode {

    /** What the simulation watches while a node performs its effects. */
    public interface Observer {
        void persisted(SimulatedNode node, List<LogEntry> entries);

        void applied(SimulatedNode node, LogEntry entry, Object result);

        /** After the committed entries of {@code ready} were applied. */
        void ready(SimulatedNode node, Ready ready);
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
        replica = new Replica(config, hardState, log, random.split());
        stateMachine = new KeyValueStateMachine();
        incarnation++;
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

    /**
     * Performs the pending Ready. With {@code crashAfterSending} the node crashes after sending
     * the first-phase messages and storing only {@code tornEntries} of the new entries, losing
     * the rest (the hard state too unless {@code keepHardState}).
     */
    public void sync(SimulatedNetwork network, Observer observer, boolean crashAfterSending, int tornEntries,
            boolean keepHardState) {
        Ready ready = replica.ready();
        ready.messages().forEach(network::send);
        if (crashAfterSending) {
            if (keepHardState && ready.hardState() != null) {
                hardState = ready.hardState();
            }
            if (tornEntries > 0 && !ready.entries().isEmpty()) {
                List<LogEntry> torn = ready.entries().subList(0, Math.min(tornEntries, ready.entries().size()));
                log.append(torn);
                observer.persisted(this, torn);
            }
            crash();
            return;
        }
        if (ready.hardState() != null) {
            hardState = ready.hardState();
        }
        if (!ready.entries().isEmpty()) {
            log.append(ready.entries());
            observer.persisted(this, ready.entries());
        }
        ready.messagesAfterPersist().forEach(network::send);
        if (!ready.entries().isEmpty()) {
            LogEntry last = ready.entries().get(ready.entries().size() - 1);
            replica.persisted(last.index(), last.generation());
        }
        for (LogEntry entry : ready.committedEntries()) {
            Object result = stateMachine.apply(entry);
            observer.applied(this, entry, result);
        }
        observer.ready(this, ready);
        replica.advance(ready);
    }
}
