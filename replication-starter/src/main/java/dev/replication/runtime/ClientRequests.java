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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The way in for writes and reads from any thread: wraps each in its {@link NodeEvent}, gives
 * it a deadline and admits it to the update queue (or refuses it at once when the node stopped,
 * too many requests are in progress, or the queue's client share is full). Everything after
 * admission happens on the queue's thread.
 *
 * <p>A refused write certainly entered no log ({@link NotAppliedException}); a refused read is
 * unavailable ({@link ReplicationUnavailableException}). The wait for a write's index after the
 * leader applied it is the node's own event, never refused for lack of room: once a write may
 * be in a log, its only answers are "applied" or "outcome unknown".
 *
 * <p>At most {@code maxInProgress} client requests (writes, reads, writes forwarded to this
 * leader) are admitted and not yet answered; everything the node holds for them (pending
 * writes and reads, waits, retries) is therefore bounded too.
 */
final class ClientRequests {

    /** What the node tells its requests about itself; read from any thread. */
    interface NodeView {
        String nodeId();

        /** Null while the node serves; otherwise why it stopped. */
        @Nullable
        String failure();

        /** The leader this node knows of, or null. */
        @Nullable
        String leaderId();

        long appliedIndex();

        /** Null while the log can write; otherwise why it cannot (its disk is full). */
        default @Nullable String diskFull() {
            return null;
        }
    }

    private final NodeView node;
    private final Predicate<NodeEvent> admit;
    private final Predicate<NodeEvent> admitInternal;
    private final NodeTimers timers;
    private final PendingWrites writes;
    private final int maxInProgress;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final int maxEntryPayloadBytes;
    private final AtomicLong readIds = new AtomicLong();
    // A fresh session per process: after a restart, new commands are never mistaken for
    // retries of the old process's commands.
    private final ClientSequencer sequencer;

    /**
     * @param admit offers a client request to the update queue; false when its share is full or the node stopped
     * @param admitInternal offers the node's own event; false only when the node stopped
     * @param maxInProgress client requests admitted and not yet answered before new ones are refused
     * @param maxEntryPayloadBytes the largest envelope the log stores; larger ones are refused here
     */
    ClientRequests(
            NodeView node,
            Predicate<NodeEvent> admit,
            Predicate<NodeEvent> admitInternal,
            NodeTimers timers,
            PendingWrites writes,
            int maxInProgress,
            int maxEntryPayloadBytes) {
        this.node = node;
        this.admit = admit;
        this.admitInternal = admitInternal;
        this.timers = timers;
        this.writes = writes;
        this.maxInProgress = maxInProgress;
        this.maxEntryPayloadBytes = maxEntryPayloadBytes;
        this.sequencer = new ClientSequencer(
                ClientSequencer.clientId(node.nodeId(), UUID.randomUUID().toString()));
    }

    /** A command from this node's application: answered once it is applied here. */
    CompletableFuture<byte[]> submit(byte[] command, @Nullable String idempotencyKey, Duration timeout) {
        CommandEnvelope envelope = sequencer.envelope(command, idempotencyKey);
        Propose propose = new Propose(envelope.encode(), System.nanoTime() + timeout.toNanos(), false);
        CompletableFuture<byte[]> answer = propose.result.thenCompose(applied -> awaitAppliedAfterWrite(
                        applied.index(),
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(propose.deadlineNanos - System.nanoTime())),
                        timeout)
                .thenApply(ignored -> applied.result()));
        // Whatever the outcome, this process never retries the sequence: the replicated state
        // may forget its answer.
        answer.whenComplete((ignored, error) -> sequencer.answered(envelope.sequence()));
        if (reserve(answer)) {
            admitWrite(propose, timeout);
        } else {
            propose.result.completeExceptionally(new NotAppliedException(tooManyInProgress(), node.leaderId()));
        }
        return answer;
    }

    /** A write another node forwarded to this leader; answered once applied here. */
    CompletableFuture<ForwardingProtocol.Answer.Applied> proposeForwarded(byte[] envelope, Duration timeout) {
        Propose propose = new Propose(envelope, System.nanoTime() + timeout.toNanos(), true);
        if (reserve(propose.result)) {
            admitWrite(propose, timeout);
        } else {
            propose.result.completeExceptionally(new NotAppliedException(tooManyInProgress(), node.leaderId()));
        }
        return propose.result;
    }

    /** Enters a write into the update queue with its deadline; refused, it certainly entered no log. */
    private void admitWrite(Propose propose, Duration timeout) {
        String diskFull = node.diskFull();
        byte[] envelope = propose.envelope;
        if (envelope.length > maxEntryPayloadBytes) {
            // The log would refuse it on the update-queue thread, after followers got it: a fail-stop.
            propose.result.completeExceptionally(new EntryTooLargeException(
                    "a command of " + envelope.length
                            + " bytes (with its envelope) is over the largest log record of node " + node.nodeId()
                            + " ("
                            + maxEntryPayloadBytes + " bytes of payload); nothing was written. Write smaller values, or"
                            + " raise replication.map.max-value-size on every node",
                    envelope.length,
                    maxEntryPayloadBytes));
        } else if (diskFull != null) {
            // True: it never reached the update queue, let alone a log. Writes already in the
            // log wait for space instead (the log retries them), unacknowledged.
            propose.result.completeExceptionally(
                    new NotAppliedException("node " + node.nodeId() + " cannot write: " + diskFull, node.leaderId()));
        } else if (node.failure() != null || !admit.test(propose)) {
            propose.result.completeExceptionally(new NotAppliedException(refusal(), node.leaderId()));
        } else {
            timers.deadline(
                    propose.result, timeout.toMillis(), () -> writes.deadlinePassed(propose, timeout, node.leaderId()));
        }
    }

    CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
        if (consistency == ReadConsistency.STALE) {
            if (minIndex <= node.appliedIndex()) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> result = new CompletableFuture<>();
            admitRead(
                    new AwaitApplied(minIndex, result, false),
                    result,
                    timeout,
                    () -> new ReplicationUnavailableException(
                            "node " + node.nodeId() + " did not reach index " + minIndex + " within " + timeout
                                    + " (applied " + node.appliedIndex() + "); read from another node",
                            node.leaderId()));
            return result;
        }
        Read read = new Read(readIds.incrementAndGet(), minIndex);
        admitRead(
                read,
                read.result,
                timeout,
                () -> new ReplicationUnavailableException(
                        "no linearizable read served within " + timeout + " (no leader or no quorum); retry later",
                        node.leaderId()));
        return read.result;
    }

    /** A read refused is unavailable here (never "not applied": a read changes nothing). */
    private void admitRead(
            NodeEvent event, CompletableFuture<Void> result, Duration timeout, Supplier<Throwable> onTimeout) {
        if (!reserve(result)) {
            result.completeExceptionally(new ReplicationUnavailableException(tooManyInProgress(), node.leaderId()));
        } else if (node.failure() != null || !admit.test(event)) {
            result.completeExceptionally(new ReplicationUnavailableException(refusal(), node.leaderId()));
        } else {
            timers.failAfter(result, timeout.toMillis(), onTimeout);
        }
    }

    /**
     * The leader applied the write at {@code index}: completes once this node applied it too. The
     * write committed, so failing here is "outcome unknown" for this caller, never "not applied".
     */
    private CompletableFuture<Void> awaitAppliedAfterWrite(long index, long timeoutMillis, Duration timeout) {
        if (index <= node.appliedIndex()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (node.failure() != null || !admitInternal.test(new AwaitApplied(index, future, true))) {
            future.completeExceptionally(writes.stoppedBeforeApplyingHere(index, "stopped"));
        } else {
            timers.failAfter(
                    future, timeoutMillis, () -> writes.notAppliedHereInTime(index, timeout, node.appliedIndex()));
        }
        return future;
    }

    /** Counts {@code request} in progress until it completes; false (not counted) when too many are. */
    private boolean reserve(CompletableFuture<?> request) {
        if (inProgress.incrementAndGet() > maxInProgress) {
            inProgress.decrementAndGet();
            return false;
        }
        request.whenComplete((ignored, error) -> inProgress.decrementAndGet());
        return true;
    }

    /** Client requests admitted and not yet answered. */
    int inProgress() {
        return inProgress.get();
    }

    /** Why the update queue refused a request: the node stopped, or its share of the queue is full. */
    private String refusal() {
        String failure = node.failure();
        if (failure != null) {
            return "node " + node.nodeId() + " has stopped serving: " + failure;
        }
        return "node " + node.nodeId() + " is overloaded (update queue full); retry later";
    }

    private String tooManyInProgress() {
        return "node " + node.nodeId() + " is overloaded (" + maxInProgress + " requests in progress); retry later";
    }
}
