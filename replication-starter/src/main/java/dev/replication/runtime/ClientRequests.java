package dev.replication.runtime;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.NotAppliedException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.runtime.NodeEvent.AwaitApplied;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.runtime.NodeEvent.Read;
import dev.replication.state.ClientSequencer;
import dev.replication.state.CommandEnvelope;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The way in for writes and reads from any thread: wraps each in its {@link NodeEvent}, gives
 * it a deadline and admits it to the update queue (or refuses it at once when the node stopped
 * or the queue is full). Everything after admission happens on the queue's thread.
 */
final class ClientRequests {

    /** What the node tells its requests about itself; read from any thread. */
    interface NodeView {
        String nodeId();

        /** Null while the node serves; otherwise why it stopped. */
        String failure();

        /** The leader this node knows of, or null. */
        String leaderId();

        long appliedIndex();
    }

    private final NodeView node;
    private final Predicate<NodeEvent> admit;
    private final NodeTimers timers;
    private final PendingWrites writes;
    private final int maxEntryPayloadBytes;
    private final AtomicLong readIds = new AtomicLong();
    // A fresh session per process: after a restart, new commands are never mistaken for
    // retries of the old process's commands.
    private final ClientSequencer sequencer;

    /**
     * @param admit offers an event to the update queue; false when the queue is full
     * @param maxEntryPayloadBytes the largest envelope the log stores; larger ones are refused here
     */
    ClientRequests(NodeView node, Predicate<NodeEvent> admit, NodeTimers timers, PendingWrites writes,
                   int maxEntryPayloadBytes) {
        this.node = node;
        this.admit = admit;
        this.timers = timers;
        this.writes = writes;
        this.maxEntryPayloadBytes = maxEntryPayloadBytes;
        this.sequencer = new ClientSequencer(ClientSequencer.clientId(node.nodeId(), UUID.randomUUID().toString()));
    }

    /** A command from this node's application: answered once it is applied here. */
    CompletableFuture<byte[]> submit(byte[] command, String idempotencyKey, Duration timeout) {
        CommandEnvelope envelope = sequencer.envelope(command, idempotencyKey);
        Propose propose = propose(envelope.encode(), timeout, false);
        CompletableFuture<byte[]> answer = propose.result.thenCompose(applied -> awaitApplied(applied.index(),
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(propose.deadlineNanos - System.nanoTime())),
                        () -> writes.notAppliedHereInTime(applied.index(), timeout, node.appliedIndex()))
                .thenApply(ignored -> applied.result()));
        // Whatever the outcome, this process never retries the sequence: the replicated state
        // may forget its answer.
        answer.whenComplete((ignored, error) -> sequencer.answered(envelope.sequence()));
        return answer;
    }

    /** Enters a write into the update queue with its deadline. */
    Propose propose(byte[] envelope, Duration timeout, boolean forwardedToUs) {
        Propose propose = new Propose(envelope, System.nanoTime() + timeout.toNanos(), forwardedToUs);
        if (envelope.length > maxEntryPayloadBytes) {
            // The log would refuse it on the update-queue thread, after followers got it: a fail-stop.
            propose.result.completeExceptionally(new EntryTooLargeException("a command of " + envelope.length
                    + " bytes (with its envelope) is over the largest log record of node " + node.nodeId() + " ("
                    + maxEntryPayloadBytes + " bytes of payload); nothing was written. Write smaller values, or"
                    + " raise replication.map.max-value-size on every node", envelope.length, maxEntryPayloadBytes));
            return propose;
        }
        enqueue(propose, propose.result);
        timers.deadline(propose.result, timeout.toMillis(),
                () -> writes.deadlinePassed(propose, timeout, node.leaderId()));
        return propose;
    }

    CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
        if (consistency == ReadConsistency.STALE) {
            if (minIndex <= node.appliedIndex()) {
                return CompletableFuture.completedFuture(null);
            }
            return awaitApplied(minIndex, timeout.toMillis(), () -> new ReplicationUnavailableException("node "
                    + node.nodeId() + " did not reach index " + minIndex + " within " + timeout + " (applied "
                    + node.appliedIndex() + "); read from another node", node.leaderId()));
        }
        Read read = new Read(readIds.incrementAndGet(), minIndex);
        enqueue(read, read.result);
        timers.failAfter(read.result, timeout.toMillis(), () -> new ReplicationUnavailableException(
                "no linearizable read served within " + timeout + " (no leader or no quorum); retry later",
                node.leaderId()));
        return read.result;
    }

    /** Completes once this node has applied {@code index}, or fails with {@code onTimeout}. */
    private CompletableFuture<Void> awaitApplied(long index, long timeoutMillis, Supplier<Throwable> onTimeout) {
        if (index <= node.appliedIndex()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        enqueue(new AwaitApplied(index, future), future);
        timers.failAfter(future, timeoutMillis, onTimeout);
        return future;
    }

    private void enqueue(NodeEvent event, CompletableFuture<?> result) {
        String failure = node.failure();
        if (failure != null) {
            result.completeExceptionally(new NotAppliedException("node " + node.nodeId()
                    + " has stopped serving: " + failure, null));
        } else if (!admit.test(event)) {
            result.completeExceptionally(new NotAppliedException("node " + node.nodeId()
                    + " is overloaded (update queue full); retry later", node.leaderId()));
        }
    }
}
