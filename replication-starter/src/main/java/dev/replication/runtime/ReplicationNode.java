package dev.replication.runtime;

import dev.replication.api.ReadConsistency;
import dev.replication.core.HardState;
import dev.replication.core.Message;
import dev.replication.core.Ready;
import dev.replication.core.Replica;
import dev.replication.core.ReplicaConfig;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.core.SnapshotMeta;
import dev.replication.core.StateMachine;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogHealth;
import dev.replication.log.SegmentedLog;
import dev.replication.runtime.NodeEvent.BackupRequest;
import dev.replication.runtime.NodeEvent.ContinueApplying;
import dev.replication.runtime.NodeEvent.Inbound;
import dev.replication.runtime.NodeEvent.RetryPropose;
import dev.replication.runtime.NodeEvent.StatusRequest;
import dev.replication.runtime.NodeEvent.Tick;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the cluster: drives the pure consensus {@link Replica} from a single thread
 * (Singular Update Queue) and performs each {@link Ready} through {@link NodeEffects}, in the
 * order {@link Ready#performIn} fixes (hard state fsync'd before sending; acknowledgements after
 * the entries they depend on are durable; committed entries applied before callers hear "done").
 *
 * <p>The event loop is all this class does; the waiting parties live in focused parts:
 * {@link PendingWrites} (which also decides "not applied" versus "outcome unknown"),
 * {@link LeaderForwarding} and {@link PendingReads}. Everything arrives as a {@link NodeEvent};
 * the fields below the event queue are touched only by the queue's thread.
 *
 * <p>One turn of the queue performs at most {@link #READIES_PER_TURN} Readies (each applies at
 * most {@code maxBytesPerAppend} of committed entries), then queues {@link ContinueApplying}:
 * replaying a long log after a restart never stops the node from answering ticks, heartbeats
 * and votes in between. Until it has applied what was committed when it started, the node
 * reports itself {@linkplain #catchingUp() catching up}.
 */
public final class ReplicationNode
        implements ReplicationGateway, InboundHandler, ClientRequests.NodeView, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationNode.class);
    /** Readies performed per turn before other events get their turn (bounds a turn's apply work). */
    static final int READIES_PER_TURN = 4;

    private final NodeSettings settings;
    private final SegmentedLog segmentedLog;
    private final HardStateFile hardStateFile;
    private final PeerTransport transport;
    private final StateMachine<byte[]> stateMachine;
    private final Consumer<RoleState> roleListener;
    private final NodeMetrics metrics;
    private final SingularUpdateQueue<NodeEvent> queue;
    private final NodeTimers timers;
    private final ClientRequests requests;
    private final TickSource ticks;
    /** This process start, for the core's request matching (see ReplicaConfig#incarnation). */
    private final long incarnation = new SecureRandom().nextLong();

    private volatile @Nullable String failure;

    private final LeaderForwarding forwarding;
    private final PendingWrites writes;
    private final PendingReads reads;
    private final NodeEffects effects;
    private final Snapshots snapshots;
    private final UpdateTurn turn;

    /**
     * @param stateMachine applies committed entries and stamps this node's proposals; this node
     *     is its only writer
     * @param roleListener told (on a separate thread, in order) whenever role, leader or
     *     generation change
     */
    public ReplicationNode(
            NodeSettings settings,
            SegmentedLog segmentedLog,
            HardStateFile hardStateFile,
            PeerTransport transport,
            StateMachine<byte[]> stateMachine,
            Consumer<RoleState> roleListener,
            NodeMetrics metrics) {
        this(settings, segmentedLog, hardStateFile, transport, stateMachine, roleListener, metrics, null);
    }

    /**
     * A node that checkpoints its state into {@code snapshotStorage} (whose machine must be
     * {@code stateMachine}), compacts its log below each durable checkpoint, and sends and takes
     * snapshot installs; without it (null) the log keeps every entry.
     */
    public ReplicationNode(
            NodeSettings settings,
            SegmentedLog segmentedLog,
            HardStateFile hardStateFile,
            PeerTransport transport,
            StateMachine<byte[]> stateMachine,
            Consumer<RoleState> roleListener,
            NodeMetrics metrics,
            @Nullable SnapshotStorage snapshotStorage) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.segmentedLog = Objects.requireNonNull(segmentedLog, "segmentedLog");
        this.hardStateFile = Objects.requireNonNull(hardStateFile, "hardStateFile");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.roleListener = roleListener == null ? state -> {} : roleListener;
        this.metrics = metrics == null ? NodeMetrics.NONE : metrics;
        // Client requests and peer messages each get a share of the queue's capacity; the node's
        // own events are bounded by construction (see SingularUpdateQueue).
        this.queue = new SingularUpdateQueue<>(
                "replication-" + settings.nodeId(),
                settings.queueCapacity(),
                settings.queueCapacity(),
                1024,
                this::process,
                this::failStop);
        if (snapshotStorage != null && snapshotStorage.machine() != stateMachine) {
            throw new IllegalArgumentException("the snapshot storage's state machine must be the node's own");
        }
        this.snapshots = snapshotStorage == null
                ? Snapshots.none()
                : new Snapshots(settings.nodeId(), snapshotStorage, segmentedLog, transport, queue::offerInternal);
        this.timers = new NodeTimers(settings.nodeId());
        this.ticks = new TickSource(
                settings.nodeId(),
                settings.tickInterval().toMillis(),
                settings.electionTimeout().toMillis(),
                () -> queue.offerInternal(Tick.INSTANCE),
                System::nanoTime,
                this.metrics::processPaused);
        this.forwarding = new LeaderForwarding(
                settings.nodeId(), transport, propose -> queue.offerInternal(new RetryPropose(propose)));
        this.writes = new PendingWrites(settings.nodeId(), this.metrics, forwarding);
        this.reads = new PendingReads(settings.nodeId(), settings.maxReadLag());
        this.turn = new UpdateTurn(
                settings,
                queue,
                stateMachine,
                ticks,
                forwarding,
                writes,
                reads,
                snapshots,
                this.metrics,
                this.roleListener,
                this::statusNow);
        this.effects = new NodeEffects(
                hardStateFile,
                segmentedLog,
                transport,
                stateMachine,
                writes,
                reads,
                this.metrics,
                queue::offerInternal,
                turn::onRoleChange,
                () -> turn.roleState.leaderId(),
                snapshots);
        turn.use(effects);
        this.requests = new ClientRequests(
                this,
                queue::offer,
                queue::offerInternal,
                timers,
                writes,
                settings.queueCapacity(),
                segmentedLog.maxPayloadBytes());
    }

    /** Recovers from the log and hard state, then starts ticking and accepting messages. */
    public void start() {
        HardState stored = hardStateFile.load();
        SnapshotMeta snapshot = snapshots.restore();
        // A generation never runs behind the log's: a node restored from a backup must not lead
        // in a generation older than the entries its state came from.
        HardState hardState = stored;
        if (snapshot.generation() > stored.generation()) {
            hardState = new HardState(snapshot.generation(), null);
            hardStateFile.save(hardState);
        }
        Replica recovered = new Replica(replicaConfig(), hardState, snapshot, segmentedLog, new SecureRandom());
        effects.recovered(snapshot.index(), segmentedLog.firstIndex(), segmentedLog.lastIndex());
        turn.started(recovered, new StartupCatchUp(settings.nodeId(), segmentedLog.lastIndex()));
        log.info(
                "Node {} recovered: generation {}, checkpoint at {}, log [{}..{}], voters {}",
                settings.nodeId(),
                hardState.generation(),
                snapshot.index(),
                segmentedLog.firstIndex(),
                segmentedLog.lastIndex(),
                settings.voters());
        queue.start();
        transport.start(this);
        timers.every(settings.tickInterval().toMillis(), ticks);
    }

    private ReplicaConfig replicaConfig() {
        return new ReplicaConfig(
                settings.nodeId(),
                settings.voters(),
                settings.electionTimeoutTicks(),
                settings.heartbeatIntervalTicks(),
                settings.maxInflightAppends(),
                settings.maxEntriesPerAppend(),
                settings.maxBytesPerAppend(),
                10_000,
                incarnation);
    }

    // ---------------------------------------------------------------- public API (any thread)

    @Override
    public CompletableFuture<byte[]> submit(byte[] command, @Nullable String idempotencyKey, Duration timeout) {
        return requests.submit(command, idempotencyKey, timeout);
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
        return requests.readBarrier(consistency, minIndex, timeout);
    }

    public RoleState roleState() {
        return turn.roleState;
    }

    public boolean isLeader() {
        return turn.roleState.role() == Role.LEADER;
    }

    @Override
    public String nodeId() {
        return settings.nodeId();
    }

    /** The leader this node knows of, or null. */
    @Override
    public @Nullable String leaderId() {
        return turn.roleState.leaderId();
    }

    /** Null while healthy; otherwise why this node stopped serving. */
    @Override
    public @Nullable String failure() {
        return failure;
    }

    @Override
    public long appliedIndex() {
        return effects.appliedIndexView();
    }

    @Override
    public @Nullable String diskFull() {
        return segmentedLog.health().diskFull();
    }

    /**
     * Null once this node has applied what was committed when it started; until then why it is not
     * ready to serve (for readiness).
     */
    public @Nullable String catchingUp() {
        return turn.catchUp.reason(effects.appliedIndexView());
    }

    /** Writes and reads this node holds (pending, waiting or in flight), as of its last turn. */
    int pendingRequests() {
        return turn.pendingView;
    }

    /** The newest durable checkpoint and the snapshot transfers in progress (any thread). */
    public NodeStatus.SnapshotStatus snapshotStatus() {
        return snapshots.status();
    }

    /**
     * Writes a backup of this node's state: a checkpoint of everything applied when the request
     * is taken (or the one in flight), exported consistently under the data directory's backups.
     */
    public CompletableFuture<Backup> backup() {
        CompletableFuture<Backup> result = new CompletableFuture<>();
        if (failure != null || !queue.offer(new BackupRequest(result))) {
            result.completeExceptionally(new IllegalStateException("node " + settings.nodeId()
                    + " cannot take a backup now: " + (failure != null ? failure : "overloaded")));
        }
        return result;
    }

    /** The first index still in the log (entries below were compacted); any thread. */
    public long firstLogIndex() {
        return segmentedLog.firstIndex();
    }

    /** The log's disk (full, stalled), read from any thread without waiting for the node's own. */
    public LogHealth logHealth() {
        return segmentedLog.health();
    }

    /** The commit index as of the last processed batch (cheap; for gauges). */
    public long commitIndex() {
        return turn.commitIndexView;
    }

    /** A consistent snapshot of the node's state, taken on its own thread. */
    public CompletableFuture<NodeStatus> status() {
        StatusRequest request = new StatusRequest(new CompletableFuture<>());
        if (failure != null || !queue.offer(request)) {
            request.result().complete(stoppedStatus());
        }
        return request.result();
    }

    /** The status from the volatile views, when the queue does not answer (stopped or full). */
    private NodeStatus stoppedStatus() {
        RoleState role = turn.roleState;
        return new NodeStatus(
                settings.nodeId(),
                role.role(),
                role.leaderId(),
                role.generation(),
                turn.commitIndexView,
                appliedIndex(),
                segmentedLog.firstIndex(),
                segmentedLog.lastIndex(),
                Map.of(),
                catchingUp(),
                failure,
                segmentedLog.health(),
                snapshots.status());
    }

    // ---------------------------------------------------------------- inbound from peers

    @Override
    public void onMessage(Message message) {
        // Dropping under overload is safe: the core retries; it never blocks the transport.
        queue.offerPeer(new Inbound(message));
    }

    @Override
    public CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body) {
        if (ForwardingProtocol.PROPOSE.equals(operation)) {
            return LeaderForwarding.serve(body, requests::proposeForwarded);
        }
        if (SnapshotInstalls.OPERATION.equals(operation)) {
            return snapshots.onChunk(fromPeer, body);
        }
        return CompletableFuture.failedFuture(new IllegalArgumentException(
                "unknown peer operation '" + operation + "'; the peer may run a newer release"));
    }

    /** The update-queue thread's work, one batch of events at a time. */
    private void process(List<NodeEvent> events) {
        turn.process(events);
    }

    private NodeStatus statusNow(Replica replica) {
        return NodeStatus.of(
                settings.nodeId(),
                replica,
                effects.appliedIndex(),
                segmentedLog,
                settings.tickInterval().toMillis(),
                catchingUp(),
                failure,
                snapshots.status());
    }

    // ---------------------------------------------------------------- helpers

    private void failStop(Throwable cause) {
        failure = String.valueOf(PeerCalls.unwrap(cause).getMessage());
        RoleState previous = turn.roleState;
        RoleState stopped = new RoleState(Role.FOLLOWER, null, previous.generation());
        turn.roleState = stopped;
        failPending();
        // A leader that stops serving no longer leads: its listeners (leader-only work) must hear it.
        if (previous.role() != Role.FOLLOWER || previous.leaderId() != null) {
            roleListener.accept(stopped);
        }
    }

    /** Answers everyone still waiting once the node stopped (the queue no longer runs). */
    private void failPending() {
        List<NodeEvent> unqueued = queue.drainRemaining();
        writes.stopped(forwarding.takeUnforwarded(), unqueued);
        reads.stopped(unqueued);
        for (NodeEvent event : unqueued) {
            if (event instanceof StatusRequest request) {
                request.result().complete(stoppedStatus());
            }
        }
    }

    /**
     * Stops ticking and processing within a bounded time and answers everyone still waiting.
     * Close the transport and the log after this.
     */
    @Override
    public void close() {
        if (failure == null) {
            // First, so requests arriving meanwhile are refused as "stopped", not as "overloaded".
            failure = "node " + settings.nodeId() + " is shut down";
        }
        timers.shutdownNow();
        try {
            queue.stop(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending();
        snapshots.close();
        // The log, the transport and the checkpoint store belong to whoever opened them; they close them after this.
    }
}
