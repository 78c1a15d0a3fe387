package dev.replication.runtime;

import dev.replication.core.Proposal;
import dev.replication.core.Ready;
import dev.replication.core.Replica;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.core.StateMachine;
import dev.replication.runtime.NodeEvent.AfterPersist;
import dev.replication.runtime.NodeEvent.AwaitApplied;
import dev.replication.runtime.NodeEvent.BackupRequest;
import dev.replication.runtime.NodeEvent.CheckpointDurable;
import dev.replication.runtime.NodeEvent.CheckpointFailed;
import dev.replication.runtime.NodeEvent.ContinueApplying;
import dev.replication.runtime.NodeEvent.Inbound;
import dev.replication.runtime.NodeEvent.PersistFailed;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.runtime.NodeEvent.Read;
import dev.replication.runtime.NodeEvent.RetryPropose;
import dev.replication.runtime.NodeEvent.SnapshotArrived;
import dev.replication.runtime.NodeEvent.SnapshotSendFailed;
import dev.replication.runtime.NodeEvent.StatusRequest;
import dev.replication.runtime.NodeEvent.Tick;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node's update-queue thread does with each batch of events: hand them to the core and
 * its parts, propose the waiting writes, perform the Readies (a bounded share per turn), and
 * publish the views other threads read. Owned by that thread; the fields marked volatile are the
 * only ones read elsewhere ({@link ReplicationNode}'s public API).
 */
final class UpdateTurn {

    // Log lines keep the node's name: operators search for them under it.
    private static final Logger log = LoggerFactory.getLogger(ReplicationNode.class);
    /** Readies performed per turn before other events get their turn (bounds a turn's apply work). */
    static final int READIES_PER_TURN = ReplicationNode.READIES_PER_TURN;

    private final NodeSettings settings;
    private final SingularUpdateQueue<NodeEvent> queue;
    private final StateMachine<byte[]> stateMachine;
    private final TickSource ticks;
    private final LeaderForwarding forwarding;
    private final PendingWrites writes;
    private final PendingReads reads;
    private final Snapshots snapshots;
    private final NodeMetrics metrics;
    private final Consumer<RoleState> roleListener;
    private final Function<Replica, NodeStatus> statusOf;
    private @Nullable NodeEffects effects;
    private @Nullable Replica replica;
    private boolean continueQueued;

    volatile RoleState roleState = new RoleState(Role.FOLLOWER, null, 0);
    volatile long commitIndexView;
    volatile int pendingView;
    volatile StartupCatchUp catchUp;

    UpdateTurn(
            NodeSettings settings,
            SingularUpdateQueue<NodeEvent> queue,
            StateMachine<byte[]> stateMachine,
            TickSource ticks,
            LeaderForwarding forwarding,
            PendingWrites writes,
            PendingReads reads,
            Snapshots snapshots,
            NodeMetrics metrics,
            Consumer<RoleState> roleListener,
            Function<Replica, NodeStatus> statusOf) {
        this.settings = settings;
        this.queue = queue;
        this.stateMachine = stateMachine;
        this.ticks = ticks;
        this.forwarding = forwarding;
        this.writes = writes;
        this.reads = reads;
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.roleListener = roleListener;
        this.statusOf = statusOf;
        this.catchUp = new StartupCatchUp(settings.nodeId(), 0);
    }

    /** The effects, built after this turn (they report role changes to it). */
    void use(NodeEffects nodeEffects) {
        this.effects = nodeEffects;
    }

    /** The recovered core; before the queue's thread runs. */
    void started(Replica recovered, StartupCatchUp startupCatchUp) {
        this.replica = recovered;
        this.catchUp = startupCatchUp;
        this.roleState = recovered.roleState();
    }

    /** The consensus core; only the update-queue thread calls this, and that thread runs only after start(). */
    Replica replica() {
        if (replica == null) {
            throw new IllegalStateException("node " + settings.nodeId() + " has not been started");
        }
        return replica;
    }

    private NodeEffects effects() {
        return Objects.requireNonNull(effects, "effects");
    }

    /** One turn: the events taken from the queue, then proposing and performing Readies. */
    void process(List<NodeEvent> events) {
        for (NodeEvent event : events) {
            handle(event);
        }
        int readies = 0;
        do {
            proposeBatch();
            readies = drainReady(readies);
        } while (writes.hasBatch() && readies < READIES_PER_TURN);
        if (readies >= READIES_PER_TURN && (replica().hasReady() || writes.hasBatch()) && !continueQueued) {
            continueQueued = queue.offerInternal(ContinueApplying.INSTANCE);
        }
        forwarding.forwardBatches(System.nanoTime());
        snapshots.afterTurn(effects().appliedIndex(), effects().appliedBytes());
        commitIndexView = replica().commitIndex();
        catchUp.applied(effects().appliedIndex());
        pendingView = writes.size() + reads.size();
    }

    private void handle(NodeEvent event) {
        if (event instanceof Tick) {
            ticks.taken();
            replica().tick();
            writes.forgetAnswered();
            reads.forgetAnswered();
            retryWaiting();
        } else if (event instanceof ContinueApplying) {
            continueQueued = false;
        } else if (event instanceof Inbound inbound) {
            replica().receive(inbound.message());
            catchUp.heard(inbound.message(), replica().roleState());
        } else if (event instanceof Propose propose) {
            writes.dispatch(propose, replica().roleState(), System.nanoTime());
        } else if (event instanceof RetryPropose retry) {
            writes.retry(retry.propose());
        } else if (event instanceof Read read) {
            reads.dispatch(read, replica().roleState(), replica()::readIndex);
        } else if (event instanceof AfterPersist persisted) {
            effects().send(persisted.messages());
            if (persisted.index() > 0) {
                replica().persisted(persisted.index(), persisted.generation());
            }
        } else if (event instanceof AwaitApplied await) {
            reads.awaitApplied(await, effects().appliedIndex());
        } else if (event instanceof StatusRequest request) {
            request.result().complete(statusOf.apply(replica()));
        } else if (event instanceof CheckpointDurable durable) {
            snapshots.checkpointDurable(durable, replica(), metrics);
        } else if (event instanceof BackupRequest backup) {
            snapshots.backup(effects().appliedIndex(), effects().appliedBytes()).whenComplete((done, error) -> {
                if (error != null) {
                    backup.result().completeExceptionally(error);
                } else {
                    backup.result().complete(done);
                }
            });
        } else if (event instanceof CheckpointFailed failed) {
            snapshots.checkpointFailed(failed.wholeNext());
        } else if (event instanceof SnapshotArrived arrived) {
            replica().receive(snapshots.arrived(arrived));
        } else if (event instanceof SnapshotSendFailed failed) {
            replica().snapshotSendFailed(failed.peerId());
        } else if (event instanceof PersistFailed failed) {
            throw new IllegalStateException(
                    "the write-ahead log failed; node " + settings.nodeId()
                            + " stops serving to protect acknowledged data: "
                            + failed.cause().getMessage(),
                    failed.cause());
        }
    }

    private void proposeBatch() {
        if (!writes.hasBatch()) {
            return;
        }
        List<byte[]> payloads = new ArrayList<>();
        for (byte[] envelope : writes.batch()) {
            payloads.add(stateMachine.stamp(envelope));
        }
        List<Proposal> answers = replica().propose(payloads);
        writes.proposed(answers, System.nanoTime());
    }

    private void retryWaiting() {
        RoleState role = replica().roleState();
        if (role.leaderId() == null) {
            return;
        }
        writes.retryWaiting(role, System.nanoTime());
        reads.retryWaiting(role, replica()::readIndex);
    }

    /** Performs Readies until none is left or the turn's share is used; returns the Readies performed. */
    private int drainReady(int performed) {
        int readies = performed;
        while (readies < READIES_PER_TURN && replica().hasReady()) {
            Ready ready = replica().ready();
            ready.performIn(effects());
            replica().advance(ready);
            readies++;
        }
        return readies;
    }

    /** The last effect of a Ready whose role, leader or generation changed. */
    void onRoleChange(RoleState next) {
        RoleState previous = roleState;
        roleState = next;
        if (next.role() == Role.CANDIDATE && previous.role() != Role.CANDIDATE) {
            metrics.electionStarted();
        }
        if (!Objects.equals(previous.leaderId(), next.leaderId())) {
            metrics.leaderChanged();
        }
        if (previous.role() == Role.LEADER && next.role() != Role.LEADER) {
            writes.leadershipLost(next.generation());
        }
        catchUp.roleChanged(previous, next, replica().log().lastIndex());
        log.info(
                "Node {} is now {} in generation {} (leader: {})",
                settings.nodeId(),
                next.role(),
                next.generation(),
                next.leaderId());
        roleListener.accept(next);
        if (next.leaderId() != null) {
            retryWaiting();
        }
    }
}
