package dev.replication.runtime;

import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.NodeEvent.AwaitApplied;
import dev.replication.runtime.NodeEvent.Read;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Linearizable reads (Follower Reads via read index) between request and answer: in flight while
 * the core learns their read index, waiting for a leader, and the waiters for an applied index
 * that reads (and writes answered by a leader) need before they complete. Each is bounded by the
 * client requests in progress; answered ones are forgotten on every tick ({@link #forgetAnswered}).
 *
 * <p>Owned by the update-queue thread.
 */
final class PendingReads {

    private final String nodeId;
    private final long maxReadLag;
    private final Map<Long, Read> inFlight = new HashMap<>();
    private final List<Read> waitingForLeader = new ArrayList<>();
    /** By index, so applying completes only the waiters it reaches instead of scanning them all. */
    private final TreeMap<Long, List<Waiter>> appliedWaiters = new TreeMap<>();

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
    void answered(
            List<ReadState> readStates, List<ReadRejection> rejections, long appliedIndex, @Nullable String leaderId) {
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
            read.fail(new ReplicationUnavailableException(
                    "node " + nodeId + " is "
                            + (required - appliedIndex) + " entries behind the read index " + required
                            + "; read from another node or with STALE consistency",
                    leaderId));
            return;
        }
        await(new Waiter(required, read.result, false), appliedIndex);
    }

    /**
     * Completes the waiting party once this node has applied its index: a stale read with a minimum,
     * or a write the leader applied (a read here then sees it).
     */
    void awaitApplied(AwaitApplied await, long appliedIndex) {
        await(new Waiter(await.index(), await.future(), await.afterWrite()), appliedIndex);
    }

    private void await(Waiter waiter, long appliedIndex) {
        if (waiter.index() <= appliedIndex) {
            waiter.future().complete(null);
        } else {
            appliedWaiters
                    .computeIfAbsent(waiter.index(), index -> new ArrayList<>())
                    .add(waiter);
        }
    }

    /** This node applied up to {@code appliedIndex}: completes the waiters it reaches (and only those). */
    void applied(long appliedIndex) {
        while (!appliedWaiters.isEmpty() && appliedWaiters.firstKey() <= appliedIndex) {
            for (Waiter waiter : appliedWaiters.pollFirstEntry().getValue()) {
                waiter.future().complete(null);
            }
        }
    }

    /**
     * Forgets reads and waiters already answered (their deadline passed), also while no leader is
     * known and their index is never applied, so a node cut off from its peers keeps nothing of them.
     */
    void forgetAnswered() {
        inFlight.values().removeIf(Read::isDone);
        waitingForLeader.removeIf(Read::isDone);
        appliedWaiters.values().removeIf(waiters -> {
            waiters.removeIf(waiter -> waiter.future().isDone());
            return waiters.isEmpty();
        });
    }

    /** Reads in flight or waiting, and waiters for an applied index (for tests and gauges). */
    int size() {
        int waiters = 0;
        for (List<Waiter> atIndex : appliedWaiters.values()) {
            waiters += atIndex.size();
        }
        return inFlight.size() + waitingForLeader.size() + waiters;
    }

    /**
     * The node stopped: reads (also those waiting for their index to be applied) are unavailable
     * here; a write the leader applied committed, but this node cannot say it applied it.
     *
     * @param unqueued the events never taken from the update queue; reads and waits for an applied
     *     index among them are answered here
     */
    void stopped(List<? extends NodeEvent> unqueued) {
        for (Read read : inFlight.values()) {
            read.fail(unavailable());
        }
        for (Read read : waitingForLeader) {
            read.fail(unavailable());
        }
        for (List<Waiter> atIndex : appliedWaiters.values()) {
            atIndex.forEach(this::stopped);
        }
        for (NodeEvent event : unqueued) {
            if (event instanceof Read read) {
                read.fail(unavailable());
            } else if (event instanceof AwaitApplied await) {
                stopped(new Waiter(await.index(), await.future(), await.afterWrite()));
            }
        }
    }

    private void stopped(Waiter waiter) {
        if (waiter.afterWrite()) {
            waiter.future().completeExceptionally(writeNotAppliedHere(waiter.index(), "stopped"));
        } else {
            waiter.future().completeExceptionally(unavailable());
        }
    }

    /** The leader applied a write at {@code index}, so it committed, but this node will not apply it now. */
    private OutcomeUnknownException writeNotAppliedHere(long index, String what) {
        return new OutcomeUnknownException("node " + nodeId + " " + what + " before applying index " + index
                + "; the leader applied the write (it committed), but this node cannot confirm it");
    }

    private ReplicationUnavailableException unavailable() {
        return new ReplicationUnavailableException("node " + nodeId + " stopped; read from another node", null);
    }

    /** @param afterWrite whether a write waits (else a read): decides the answer when the node stops */
    private record Waiter(long index, CompletableFuture<Void> future, boolean afterWrite) {}
}
