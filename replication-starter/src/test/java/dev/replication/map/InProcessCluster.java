package dev.replication.map;

import dev.replication.api.NotAppliedException;
import dev.replication.api.ReadConsistency;
import dev.replication.core.LogEntry;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.ClientSequencer;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.HybridClock;
import dev.replication.state.KeyValueStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A test double of the runtime: one shared log and several replicas, each a real
 * {@link KeyValueStateMachine}. Replica 0 is the leader and applies every entry at once; another
 * replica applies entries only when it writes (up to its own entry, as the real gateway answers
 * after applying locally) or passes a LINEARIZABLE read barrier, so its local reads are stale in
 * between, like a follower's. Commands go through the real envelope codec with a client session
 * per replica ({@link ClientSequencer}) and the leader's hybrid-clock stamp.
 */
final class InProcessCluster {

    private final List<LogEntry> log = new ArrayList<>();
    private final List<KeyValueStateMachine> replicas = new ArrayList<>();
    private final List<ClientSequencer> sequencers = new ArrayList<>();
    private final HybridClock clock = new HybridClock();
    private boolean unavailable;
    private boolean silent;
    private boolean duplicateNextAppend;

    InProcessCluster(int size) {
        for (int i = 0; i < size; i++) {
            replicas.add(new KeyValueStateMachine());
            sequencers.add(new ClientSequencer(ClientSequencer.clientId("replica-" + i, "incarnation-1")));
        }
    }

    KeyValueStateMachine replica(int index) {
        return replicas.get(index);
    }

    synchronized int logSize() {
        return log.size();
    }

    /** From now on writes fail as if there were no leader, and linearizable reads cannot be confirmed. */
    synchronized void loseQuorum() {
        unavailable = true;
    }

    /** From now on writes and barriers never answer, as if the node lost contact mid-flight. */
    synchronized void goSilent() {
        silent = true;
    }

    /**
     * The next proposal enters the log twice, as when a forwarding node gets no acknowledgement,
     * a new leader is elected, and the node re-sends the same envelope to it; the writer gets the
     * answer of the second copy.
     */
    synchronized void duplicateNextAppend() {
        duplicateNextAppend = true;
    }

    ReplicationGateway gateway(int replica) {
        return new ReplicationGateway() {
            @Override
            public CompletableFuture<byte[]> submit(byte[] command, String idempotencyKey, Duration timeout) {
                return append(replica, command, idempotencyKey);
            }

            @Override
            public CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
                return barrier(replica, consistency);
            }
        };
    }

    /** Appends a command as another client would, straight to the leader. */
    synchronized byte[] appendFromElsewhere(byte[] command) {
        return append(0, command, null).join();
    }

    private synchronized CompletableFuture<byte[]> append(int replica, byte[] command, String idempotencyKey) {
        if (silent) {
            return new CompletableFuture<>();
        }
        if (unavailable) {
            return CompletableFuture.failedFuture(new NotAppliedException(
                    "no leader: the write was not appended; retry when a leader is elected", null));
        }
        CommandEnvelope envelope = sequencers.get(replica).envelope(command, idempotencyKey);
        byte[] encoded = envelope.encode();
        long generation = 1;
        if (duplicateNextAppend) {
            duplicateNextAppend = false;
            log.add(LogEntry.command(
                    generation++,
                    log.size() + 1,
                    CommandEnvelope.stamp(encoded, clock.tick(System.currentTimeMillis()))));
        }
        LogEntry entry = LogEntry.command(
                generation, log.size() + 1, CommandEnvelope.stamp(encoded, clock.tick(System.currentTimeMillis())));
        log.add(entry);
        byte[] answer = null;
        for (int applier : new int[] {0, replica}) {
            KeyValueStateMachine stateMachine = replicas.get(applier);
            while (stateMachine.appliedIndex() < log.size()) {
                LogEntry next = log.get((int) stateMachine.appliedIndex());
                byte[] result = stateMachine.apply(next);
                if (applier == replica && next.index() == entry.index()) {
                    answer = result;
                }
            }
        }
        sequencers.get(replica).answered(envelope.sequence());
        return CompletableFuture.completedFuture(answer);
    }

    private synchronized CompletableFuture<Void> barrier(int replica, ReadConsistency consistency) {
        if (consistency == ReadConsistency.STALE) {
            return CompletableFuture.completedFuture(null);
        }
        if (silent || unavailable) {
            return new CompletableFuture<>();
        }
        KeyValueStateMachine stateMachine = replicas.get(replica);
        while (stateMachine.appliedIndex() < log.size()) {
            stateMachine.apply(log.get((int) stateMachine.appliedIndex()));
        }
        return CompletableFuture.completedFuture(null);
    }
}
