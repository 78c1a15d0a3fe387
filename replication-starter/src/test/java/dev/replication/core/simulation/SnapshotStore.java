package dev.replication.core.simulation;

import dev.replication.core.SnapshotInstall;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A simulated node's snapshots, as its driver keeps them: the durable one (what a restart
 * restores), those received from leaders and stored aside until one is installed (durable too,
 * but garbage to a new process), and, volatile, the one its replica compacted to (what it sends to
 * followers). Decides when a snapshot is due and how large a margin of log stays below it.
 */
final class SnapshotStore {

    private final SnapshotOptions options;
    /** Draws the margins, apart from the node's other randomness. */
    private final SplittableRandom margins;

    private SimulatedSnapshot durable;
    private final TreeMap<Long, SimulatedSnapshot> received = new TreeMap<>();

    private SimulatedSnapshot latest;
    /** The injected mistake only: taken and compacted to, made durable at the next sync. */
    private SimulatedSnapshot notYetDurable;
    /** Crash once the next snapshot is durable, before the replica hears of it. */
    private boolean crashAfterNext;

    SnapshotStore(SnapshotOptions options, long seed) {
        this.options = options;
        this.margins = new SplittableRandom(seed);
    }

    /** The snapshot a restart restores, or null. */
    SimulatedSnapshot durable() {
        return durable;
    }

    /** The snapshot the replica compacted to, or null. */
    SimulatedSnapshot latest() {
        return latest;
    }

    /** A new process: it knows its durable snapshot only. */
    void restarted() {
        latest = durable;
        notYetDurable = null;
        crashAfterNext = false;
        received.clear();
    }

    void planCrashAfterNext(boolean planned) {
        crashAfterNext = planned;
    }

    /** The start of a sync: the mistake's late write of a snapshot lands now. */
    void syncing() {
        if (notYetDurable != null) {
            durable = notYetDurable;
            notYetDurable = null;
        }
    }

    /** Whether a snapshot is due at {@code applied}. */
    boolean due(long applied) {
        return options.enabled() && applied - (latest == null ? 0 : latest.index()) >= options.everyEntries();
    }

    /**
     * Keeps {@code snapshot}: durably at once, unless the injected mistake defers it.
     *
     * @return false if the node must crash now, after the snapshot is durable and before any
     *     compaction (a planned crash)
     */
    boolean taken(SimulatedSnapshot snapshot) {
        if (options.compactBeforeSnapshotIsDurable()) {
            notYetDurable = snapshot;
        } else {
            durable = snapshot;
            if (crashAfterNext) {
                return false;
            }
        }
        latest = snapshot;
        return true;
    }

    /** Where the log is kept from after a snapshot at {@code index}: a random margin below it. */
    long firstKept(long index, long logFirstIndex) {
        return Math.max(logFirstIndex, index + 1 - margins.nextInt(options.everyEntries() + 1));
    }

    /** A snapshot arrived from a leader: stored aside. */
    void received(SimulatedSnapshot snapshot) {
        received.put(snapshot.index(), snapshot);
    }

    /** The received snapshot the replica says to install. */
    SimulatedSnapshot toInstall(SnapshotInstall install) {
        SimulatedSnapshot snapshot = received.get(install.index());
        if (snapshot == null || snapshot.generation() != install.generation()) {
            throw new IllegalStateException("told to install a snapshot at " + install.index() + "@g"
                    + install.generation() + " but received " + received.keySet());
        }
        return snapshot;
    }

    /** {@code snapshot} is swapped in: it is the durable one now. */
    void installed(SimulatedSnapshot snapshot) {
        durable = snapshot;
        latest = snapshot;
        notYetDurable = null;
        received.headMap(snapshot.index(), true).clear();
    }
}
