package dev.replication.runtime;

import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.core.LogEntry;
import dev.replication.core.Proposal;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.ForwardingProtocol.Answer;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.runtime.NodeEvent.RetryPropose;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * This node's writes between submission and answer: appended under its leadership (by log index),
 * batched for the next proposal, or waiting for a leader. Writes bound for another leader are
 * handed to {@link LeaderForwarding}.
 *
 * <p>This is the one place that decides which failure a write gets. A write that certainly never
 * entered any log fails with {@link NotAppliedException} (the caller may retry anywhere); once it
 * may be in some log, its only answers are "applied" or {@link OutcomeUnknownException}. What a
 * write may have reached is tracked by its own state ({@link Propose#markSent()} when it is handed
 * to a log or a leader, {@link Propose#markWaiting()} when it is certainly back), because its
 * deadline fires on the timer thread.
 *
 * <p>Each collection holds at most the client requests in progress; answered writes are forgotten
 * on every tick ({@link #forgetAnswered}).
 *
 * <p>Owned by the update-queue thread, except {@link #deadlinePassed}, which only completes the
 * write's own future and may run on any thread. Time is passed in, so no method reads a clock.
 */
final class PendingWrites {

    private final String nodeId;
    private final NodeMetrics metrics;
    private final LeaderForwarding forwarding;
    private final Map<Long, Appended> appended = new HashMap<>();
    private final List<Propose> toPropose = new ArrayList<>();
    private final List<Propose> waitingForLeader = new ArrayList<>();

    PendingWrites(String nodeId, NodeMetrics metrics, LeaderForwarding forwarding) {
        this.nodeId = nodeId;
        this.metrics = metrics;
        this.forwarding = forwarding;
    }

    /**
     * Routes a write by the current role: into this turn's proposal batch (leader), into this
     * turn's forwarding batch (a follower that knows the leader), or to wait for a leader.
     */
    void dispatch(Propose propose, RoleState role, long nowNanos) {
        if (propose.result.isDone()) {
            return;
        }
        if (nowNanos - propose.deadlineNanos > 0) {
            return; // its deadline task answers it
        }
        if (role.role() == Role.LEADER) {
            if (!propose.markSent()) {
                return;
            }
            // Proposed together with the rest of this batch (one append message per follower).
            toPropose.add(propose);
        } else if (role.leaderId() != null && !propose.forwardedToUs) {
            if (!propose.markSent()) {
                return;
            }
            // Forwarded together with the rest of this batch (one peer request).
            forwarding.add(role.leaderId(), propose);
        } else if (propose.forwardedToUs) {
            // We are not the leader any more: the forwarder retries with the leader it learns.
            propose.result.completeExceptionally(
                    new NotAppliedException("node " + nodeId + " is not the leader", role.leaderId()));
        } else {
            waitingForLeader.add(propose);
        }
    }

    /** A write that certainly did not enter the log (a leader said so): it waits for a leader again. */
    void retry(Propose propose) {
        waitingForLeader.add(propose);
    }

    /** Dispatches every write waiting for a leader again (a leader is known now). */
    void retryWaiting(RoleState role, long nowNanos) {
        if (waitingForLeader.isEmpty()) {
            return;
        }
        List<Propose> waiting = new ArrayList<>(waitingForLeader);
        waitingForLeader.clear();
        for (Propose propose : waiting) {
            dispatch(propose, role, nowNanos);
        }
    }

    /**
     * Forgets writes already answered (their deadline passed), also while no leader is known and
     * their index never commits, so a node cut off from its peers keeps none of their payloads.
     * An appended write forgotten here is still in the log; only its caller was answered already.
     */
    void forgetAnswered() {
        waitingForLeader.removeIf(propose -> propose.result.isDone());
        appended.values().removeIf(pending -> pending.propose.result.isDone());
    }

    /** Writes appended, batched or waiting (for tests and gauges). */
    int size() {
        return appended.size() + toPropose.size() + waitingForLeader.size();
    }

    boolean hasBatch() {
        return !toPropose.isEmpty();
    }

    /** The command envelopes of this turn's proposal batch, in order; {@link #proposed} follows. */
    List<byte[]> batch() {
        List<byte[]> envelopes = new ArrayList<>(toPropose.size());
        for (Propose propose : toPropose) {
            envelopes.add(propose.envelope);
        }
        return envelopes;
    }

    /**
     * The core's answers to {@link #batch()}, in the same order: an accepted write waits for its
     * index to be applied; a refused one (leadership just lost) certainly did not enter the log.
     */
    void proposed(List<Proposal> answers, long nowNanos) {
        for (int i = 0; i < answers.size(); i++) {
            Propose propose = toPropose.get(i);
            if (answers.get(i) instanceof Proposal.Accepted accepted) {
                appended.put(accepted.index(), new Appended(accepted.generation(), propose, nowNanos));
            } else {
                propose.markWaiting();
                waitingForLeader.add(propose);
            }
        }
        toPropose.clear();
    }

    /**
     * {@code entry} was applied with {@code result}: the write appended at its index is applied, or,
     * if another leader's entry took that index, ours was overwritten and never committed.
     */
    void applied(LogEntry entry, byte[] result, long nowNanos) {
        Appended pending = appended.remove(entry.index());
        if (pending == null) {
            return;
        }
        if (pending.generation == entry.generation()) {
            metrics.committed(nowNanos - pending.startedNanos);
            pending.propose.result.complete(new Answer.Applied(entry.index(), result));
        } else {
            pending.propose.markWaiting();
            waitingForLeader.add(pending.propose);
        }
    }

    /** Entries appended under a lost leadership may still commit under the next leader. */
    void leadershipLost(long generation) {
        for (Appended pending : appended.values()) {
            pending.propose.result.completeExceptionally(
                    new OutcomeUnknownException("node " + nodeId + " lost leadership (generation " + generation
                            + ") before the write committed; it may still commit"));
        }
        appended.clear();
    }

    /**
     * The write's deadline passed (called by the timer, on any thread): a write never handed to a
     * log or a leader is not applied; one that was may have committed.
     */
    void deadlinePassed(Propose propose, Duration timeout, @Nullable String leaderId) {
        if (propose.markTimedOut()) {
            propose.result.completeExceptionally(new NotAppliedException(
                    "no leader accepted the write within " + timeout + "; it was not appended, retry later", leaderId));
        } else {
            propose.result.completeExceptionally(new OutcomeUnknownException(
                    "the write was not confirmed within " + timeout + "; it may or may not have committed"));
        }
    }

    /**
     * The leader applied the write at {@code index}, but this node did not apply it in time: it
     * committed, yet a read here would not see it.
     */
    OutcomeUnknownException notAppliedHereInTime(long index, Duration timeout, long appliedIndex) {
        return new OutcomeUnknownException("node " + nodeId + " did not apply index " + index + " within " + timeout
                + " (applied " + appliedIndex + "); the write committed but this node has not caught up");
    }

    /**
     * The leader applied the write at {@code index}, so it committed, but this node stopped (or
     * could not take the wait) before applying it.
     */
    OutcomeUnknownException stoppedBeforeApplyingHere(long index, String why) {
        return new OutcomeUnknownException("node " + nodeId + " " + why + " before applying index " + index
                + "; the leader applied the write (it committed), but this node cannot confirm it");
    }

    /**
     * The node stopped: appended writes may have committed; the rest certainly did not enter a log
     * ({@code unforwarded}: taken back from a forwarding batch; {@code unqueued}: the events never
     * taken from the update queue, of which writes and writes a leader refused that waited there to
     * be retried are answered here).
     */
    void stopped(List<Propose> unforwarded, List<? extends NodeEvent> unqueued) {
        for (Appended pending : appended.values()) {
            pending.propose.result.completeExceptionally(new OutcomeUnknownException(
                    "node " + nodeId + " stopped before the write was confirmed; it may have committed"));
        }
        failNotApplied(toPropose, "node " + nodeId + " stopped before the write was appended");
        failNotApplied(unforwarded, "node " + nodeId + " stopped before the write was forwarded");
        failNotApplied(waitingForLeader, "node " + nodeId + " stopped before the write was sent");
        List<Propose> unsent = new ArrayList<>();
        for (NodeEvent event : unqueued) {
            if (event instanceof Propose propose) {
                unsent.add(propose);
            } else if (event instanceof RetryPropose retry) {
                unsent.add(retry.propose());
            }
        }
        failNotApplied(unsent, "node " + nodeId + " stopped before the write was sent");
    }

    private static void failNotApplied(List<Propose> writes, String reason) {
        for (Propose propose : writes) {
            propose.result.completeExceptionally(new NotAppliedException(reason, null));
        }
    }

    private record Appended(long generation, Propose propose, long startedNanos) {}
}
