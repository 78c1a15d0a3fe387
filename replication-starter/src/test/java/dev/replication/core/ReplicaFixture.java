package dev.replication.core;

import dev.replication.core.simulation.MemoryLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One replica driven by hand the way the runtime drives it: performs each Ready against an
 * in-memory durable log, so a test reads as "receive this, expect that to be sent".
 */
final class ReplicaFixture {

    static final int ELECTION_TIMEOUT = 10;
    static final int HEARTBEAT_INTERVAL = 2;
    /** The incarnation of every fixture's process. */
    static final long INCARNATION = 0x1234_5678_9ABCL;

    final String id;
    final List<String> voters;
    final MemoryLog log;
    HardState hardState;
    /** The base of the durable snapshot (compacted to, or installed). */
    SnapshotMeta snapshot;

    final Replica replica;
    private final int maxInflight;
    private final int maxEntriesPerAppend;

    ReplicaFixture(String id, String... voters) {
        this(id, 2, 2, voters);
    }

    ReplicaFixture(String id, int maxInflight, int maxEntriesPerAppend, String... voters) {
        this(
                id,
                maxInflight,
                maxEntriesPerAppend,
                List.of(voters),
                new MemoryLog(),
                HardState.INITIAL,
                SnapshotMeta.NONE);
    }

    private ReplicaFixture(
            String id,
            int maxInflight,
            int maxEntriesPerAppend,
            List<String> voters,
            MemoryLog log,
            HardState hardState,
            SnapshotMeta snapshot) {
        this.id = id;
        this.voters = voters;
        this.maxInflight = maxInflight;
        this.maxEntriesPerAppend = maxEntriesPerAppend;
        this.log = log;
        this.hardState = hardState;
        this.snapshot = snapshot;
        this.replica = new Replica(
                new ReplicaConfig(
                        id,
                        Set.copyOf(voters),
                        ELECTION_TIMEOUT,
                        HEARTBEAT_INTERVAL,
                        maxInflight,
                        maxEntriesPerAppend,
                        1024,
                        5,
                        INCARNATION),
                hardState,
                snapshot,
                log,
                new SplittableRandom(7));
    }

    /**
     * This node after a power loss that kept only the first {@code keptEntries} of its log (an
     * unsynced tail it had already acknowledged is gone) and its hard state (always fsync'd).
     */
    ReplicaFixture restartedKeeping(long keptEntries) {
        MemoryLog kept = new MemoryLog();
        kept.append(log.entries(1, keptEntries, Long.MAX_VALUE));
        return new ReplicaFixture(id, maxInflight, maxEntriesPerAppend, voters, kept, hardState, SnapshotMeta.NONE);
    }

    /** A node restarted from a durable snapshot at {@code snapshot} and the log stored after it. */
    static ReplicaFixture restoredFrom(String id, SnapshotMeta snapshot, MemoryLog log, String... voters) {
        return new ReplicaFixture(id, 2, 2, List.of(voters), log, HardState.INITIAL, snapshot);
    }

    /** This node after a restart that kept everything durable: its snapshot, its log, its hard state. */
    ReplicaFixture restarted() {
        return new ReplicaFixture(id, maxInflight, maxEntriesPerAppend, voters, log, hardState, snapshot);
    }

    /**
     * The driver's checkpoint at {@code index} is durable: the replica is told, then the log is
     * deleted below {@code firstKept}, in that order.
     */
    void compact(long index, long firstKept) {
        long generation = replica.log().generationAt(index);
        replica.compact(index, generation, firstKept);
        snapshot = new SnapshotMeta(index, generation);
        log.deleteBelow(firstKept);
    }

    /** Performs the pending Ready completely (persist, report persisted, advance). */
    Ready sync() {
        Ready ready = replica.ready();
        if (ready.hardState() != null) {
            hardState = ready.hardState();
        }
        SnapshotInstall install = ready.snapshotToInstall();
        if (install != null) {
            if (install.keepSuffix()) {
                log.deleteBelow(install.index() + 1);
            } else {
                log.resetAfter(install.index(), 0);
            }
            snapshot = new SnapshotMeta(install.index(), install.generation());
        }
        log.append(ready.entries());
        if (!ready.entries().isEmpty()) {
            LogEntry last = ready.entries().get(ready.entries().size() - 1);
            replica.persisted(last.index(), last.generation());
        }
        replica.advance(ready);
        return ready;
    }

    /** Every message of a Ready, both phases, in order. */
    static List<Message> sent(Ready ready) {
        List<Message> all = new ArrayList<>(ready.messages());
        all.addAll(ready.messagesAfterPersist());
        return all;
    }

    <T extends Message> List<T> sent(Ready ready, Class<T> type) {
        List<T> result = new ArrayList<>();
        for (Message message : sent(ready)) {
            if (type.isInstance(message)) {
                result.add(type.cast(message));
            }
        }
        return result;
    }

    void tick(int ticks) {
        for (int i = 0; i < ticks; i++) {
            replica.tick();
        }
    }

    /** Ticks until the election timeout fires (pre-vote starts). */
    Ready timeOut() {
        for (int i = 0; i < 2 * ELECTION_TIMEOUT && replica.roleState().role() == Role.FOLLOWER; i++) {
            replica.tick();
        }
        return sync();
    }

    /** Wins pre-vote and vote with the other voters' grants; returns the Ready after winning. */
    Ready becomeLeader() {
        timeOut();
        long generation = replica.roleState().generation();
        for (String voter : voters) {
            if (!voter.equals(id)) {
                replica.receive(new VoteResponse(voter, id, generation + 1, true, true));
            }
        }
        sync();
        for (String voter : voters) {
            if (!voter.equals(id)) {
                replica.receive(new VoteResponse(voter, id, generation + 1, false, true));
            }
        }
        return sync();
    }

    AppendRequest append(
            String from, long generation, long prevIndex, long prevGeneration, long commitIndex, LogEntry... entries) {
        return new AppendRequest(from, id, generation, prevIndex, prevGeneration, List.of(entries), commitIndex, 1);
    }

    static LogEntry command(long index, long generation) {
        return LogEntry.command(generation, index, new byte[] {(byte) index});
    }
}
