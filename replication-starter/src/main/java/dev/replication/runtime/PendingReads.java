package dev.replication.runtime;

import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.NodeEvent.Read;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Linearizable reads (Follower Reads via read index) between request and answer: in flight while
 * the core learns their read index, waiting for a leader, and the waiters for an applied index
 * that reads (and writes answered by a leader) need before they complete.
 *
 * <p>Owned by the update-queue thread.
 */
final class PendingReads {

    private final String nodeId;
    private final long maxReadLag;
    private final Map<Long, Read> inFlight = new HashMap<>();
    private final List<Read> waitingForLeader = new ArrayList<>();
    private final List<Waiter> appliedWaiters = new ArrayList<>();

    /** @param maxReadLag how far this node may be behind a read index before a read fails fast */
    PendingReads(String nodeId, long maxReadLag) {
        this.nodeId = nodeId;
        this.maxReadLag = maxReadLag;
    }

    /**
     * Asks the core for a read index ({@code readIndex} takes the read's id) when a leader is
     * known, else the read waits for one.
     */
    void dispatch(Read read, RoleState role, LongConsumer readIndex) {
        if (read.isDone()) {
            return;
        }
        if (role.role() == Role.LEADER || role.leaderId() != null) {
            inFlight.put(read.id, read);
            readIndex.accept(read.id);
        } else {
            waitingForLeader.add(read);
        }
    }

    /** Dispatches every read waiting for a leader again (a leader is known now). */
    void retryWaiting(RoleState role, LongConsumer readIndex) {
        if (waitingForLeader.isEmpty()) {
            return;
        }
        List<Read> waiting = new ArrayList<>(waitingForLeader);
        waitingForLeader.clear();
        for (Read read : waiting) {
            dispatch(read, role, readIndex);
        }
    }

    /**
     * The core's verdicts on reads in flight: a known read index is served once applied here; a
     * rejected read waits for a leader again.
     */
    void answered(List<ReadState> readStates, List<ReadRejection> rejections, long appliedIndex,
            @Nullable String leaderId) {
        for (ReadState readState : readStates) {
            Read read = inFlight.remove(readState.requestId());
            if (read != null) {
                serve(read, readState.readIndex(), appliedIndex, leaderId);
            }
        }
        for (ReadRejection rejection : rejections) {
            Read read = inFlight.remove(rejection.requestId());
            if (read != null) {
                waitingForLeader.add(read);
            }
        }
    }

    /**
     * A read at {@code readIndex} completes once this node applied it (and the read's own minimum),
     * and fails fast when this node is too far behind to catch up soon.
     */
    private void serve(Read read, long readIndex, long appliedIndex, @Nullable String leaderId) {
        long required = Math.max(readIndex, read.minIndex);
        if (required - appliedIndex > maxReadLag) {
            read.fail(new ReplicationUnavailableException("node " + nodeId + " is "
                    + (required - appliedIndex) + " entries behind the read index " + required
                    + "; read from another node or with STALE consistency", leaderId));
            return;
        }
        if (required <= appliedIndex) {
            read.result.complete(null);
        } else {
            CompletableFuture<Void> applied = new CompletableFuture<>();
            applied.whenComplete((ignored, error) -> {
                if (error == null) {
                    read.result.complete(null);
                } else {
                    read.result.completeExceptionally(error);
                }
            });
            appliedWaiters.add(new Waiter(required, applied));
        }
    }

    /** Completes {@code future} once this node has applied {@code index}. */
    void awaitApplied(long index, CompletableFuture<Void> future, long appliedIndex) {
        if (index <= appliedIndex) {
            future.complete(null);
        } else {
            appliedWaiters.add(new Waiter(index, future));
        }
    }

    /** This node applied up to {@code appliedIndex}: completes the waiters it satisfies. */
    void applied(long appliedIndex) {
        if (appliedWaiters.isEmpty()) {
            return;
        }
        Iterator<Waiter> waiters = appliedWaiters.iterator();
        while (waiters.hasNext()) {
            Waiter waiter = waiters.next();
            if (waiter.index() <= appliedIndex) {
                waiter.future().complete(null);
                waiters.remove();
            }
        }
    }

    /** The node stopped: reads are unavailable here; a waiter cannot know what it waited for. */
    void stopped(List<Read> unqueued) {
        for (Read read : inFlight.values()) {
            read.fail(new ReplicationUnavailableException("node " + nodeId + " stopped", null));
        }
        for (Read read : waitingForLeader) {
            read.fail(new ReplicationUnavailableException("node " + nodeId + " stopped", null));
        }
        for (Waiter waiter : appliedWaiters) {
            waiter.future().completeExceptionally(new OutcomeUnknownException(
                    "node " + nodeId + " stopped before applying index " + waiter.index()));
        }
        for (Read read : unqueued) {
            read.fail(new ReplicationUnavailableException("node " + nodeId + " stopped", null));
        }
    }

    private record Waiter(long index, CompletableFuture<Void> future) {
    }
}
