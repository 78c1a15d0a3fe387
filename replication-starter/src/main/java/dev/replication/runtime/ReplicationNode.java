package dev.replication.runtime;

import dev.replication.api.ReadConsistency;
import dev.replication.core.HardState;
import dev.replication.core.Message;
import dev.replication.core.Proposal;
import dev.replication.core.Ready;
import dev.replication.core.Replica;
import dev.replication.core.ReplicaConfig;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.core.StateMachine;
import dev.replication.log.HardStateFile;
import dev.replication.log.SegmentedLog;
import dev.replication.runtime.NodeEvent.AfterPersist;
import dev.replication.runtime.NodeEvent.AwaitApplied;
import dev.replication.runtime.NodeEvent.Inbound;
import dev.replication.runtime.NodeEvent.PersistFailed;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.runtime.NodeEvent.Read;
import dev.replication.runtime.NodeEvent.RetryPropose;
import dev.replication.runtime.NodeEvent.StatusRequest;
import dev.replication.runtime.NodeEvent.Tick;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
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
 */
public final class ReplicationNode implements ReplicationGateway, InboundHandler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationNode.class);

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

    private volatile RoleState roleState;
    private volatile long commitIndexView;
    private volatile String failure;

    // Owned by the update-queue thread.
    private Replica replica;
    private final LeaderForwarding forwarding;
    private final PendingWrites writes;
    private final PendingReads reads;
    private final NodeEffects effects;

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
        this.settings = Objects.requireNonNull(settings, "settings");
        this.segmentedLog = Objects.requireNonNull(segmentedLog, "segmentedLog");
        this.hardStateFile = Objects.requireNonNull(hardStateFile, "hardStateFile");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.roleListener = roleListener == null ? state -> { } : roleListener;
        this.metrics = metrics == null ? NodeMetrics.NONE : metrics;
        this.queue = new SingularUpdateQueue<>("replication-" + settings.nodeId(), settings.queueCapacity(), 1024,
                this::process, this::failStop);
        this.timers = new NodeTimers(settings.nodeId());
        this.roleState = new RoleState(Role.FOLLOWER, null, 0);
        this.forwarding = new LeaderForwarding(transport, propose -> queue.offerInternal(new RetryPropose(propose)));
        this.writes = new PendingWrites(settings.nodeId(), this.metrics, forwarding);
        this.reads = new PendingReads(settings.nodeId(), settings.maxReadLag());
        this.effects = new NodeEffects(hardStateFile, segmentedLog, transport, stateMachine, writes, reads,
                this.metrics, queue::offerInternal, this::onRoleChange, () -> roleState.leaderId());
        this.requests = new ClientRequests(new ClientRequests.NodeView() {
            @Override
            public String nodeId() {
                return settings.nodeId();
            }

            @Override
            public String failure() {
                return failure;
            }

            @Override
            public String leaderId() {
                return roleState.leaderId();
            }

            @Override
            public long appliedIndex() {
                return effects.appliedIndexView();
            }
        }, queue::offer, timers, writes, segmentedLog.maxPayloadBytes());
    }

    /** Recovers from the log and hard state, then starts ticking and accepting messages. */
    public void start() {
        HardState hardState = hardStateFile.load();
        replica = new Replica(replicaConfig(), hardState, segmentedLog, new SecureRandom());
        effects.recovered(segmentedLog.lastIndex());
        roleState = replica.roleState();
        log.info("Node {} recovered: generation {}, log [{}..{}], voters {}", settings.nodeId(),
                hardState.generation(), segmentedLog.firstIndex(), segmentedLog.lastIndex(), settings.voters());
        queue.start();
        transport.start(this);
        timers.every(settings.tickInterval().toMillis(), () -> queue.offer(Tick.INSTANCE));
    }

    private ReplicaConfig replicaConfig() {
        return new ReplicaConfig(settings.nodeId(), settings.voters(), settings.electionTimeoutTicks(),
                settings.heartbeatIntervalTicks(), settings.maxInflightAppends(), settings.maxEntriesPerAppend(),
                settings.maxBytesPerAppend());
    }

    // ---------------------------------------------------------------- public API (any thread)

    @Override
    public CompletableFuture<byte[]> submit(byte[] command, String idempotencyKey, Duration timeout) {
        return requests.submit(command, idempotencyKey, timeout);
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
        return requests.readBarrier(consistency, minIndex, timeout);
    }

    public RoleState roleState() {
        return roleState;
    }

    public boolean isLeader() {
        return roleState.role() == Role.LEADER;
    }

    public String nodeId() {
        return settings.nodeId();
    }

    /** Null while healthy; otherwise why this node stopped serving. */
    public String failure() {
        return failure;
    }

    public long appliedIndex() {
        return effects.appliedIndexView();
    }

    /** The commit index as of the last processed batch (cheap; for gauges). */
    public long commitIndex() {
        return commitIndexView;
    }

    /** A consistent snapshot of the node's state, taken on its own thread. */
    public CompletableFuture<NodeStatus> status() {
        StatusRequest request = new StatusRequest(new CompletableFuture<>());
        if (failure != null || !queue.offer(request)) {
            RoleState role = roleState;
            request.result().complete(new NodeStatus(settings.nodeId(), role.role(), role.leaderId(), role.generation(),
                    commitIndexView, appliedIndex(), segmentedLog.firstIndex(), segmentedLog.lastIndex(), Map.of(),
                    failure));
        }
        return request.result();
    }

    // ---------------------------------------------------------------- inbound from peers

    @Override
    public void onMessage(Message message) {
        // Dropping under overload is safe: the core retries; it never blocks the transport.
        queue.offer(new Inbound(message));
    }

    @Override
    public CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body) {
        if (ForwardingProtocol.PROPOSE.equals(operation)) {
            return LeaderForwarding.serve(body, (envelope, timeout) -> requests.propose(envelope, timeout, true).result);
        }
        return CompletableFuture.failedFuture(new IllegalArgumentException(
                "unknown peer operation '" + operation + "'; the peer may run a newer release"));
    }

    // ---------------------------------------------------------------- the update-queue thread

    private void process(List<NodeEvent> events) {
        for (NodeEvent event : events) {
            handle(event);
        }
        do {
            proposeBatch();
            drainReady();
        } while (writes.hasBatch());
        forwarding.forwardBatches(System.nanoTime());
        commitIndexView = replica.commitIndex();
    }

    private void handle(NodeEvent event) {
        if (event instanceof Tick) {
            replica.tick();
            retryWaiting();
        } else if (event instanceof Inbound inbound) {
            replica.receive(inbound.message());
        } else if (event instanceof Propose propose) {
            writes.dispatch(propose, replica.roleState(), System.nanoTime());
        } else if (event instanceof RetryPropose retry) {
            writes.retry(retry.propose());
        } else if (event instanceof Read read) {
            reads.dispatch(read, replica.roleState(), replica::readIndex);
        } else if (event instanceof AfterPersist persisted) {
            effects.send(persisted.messages());
            if (persisted.index() > 0) {
                replica.persisted(persisted.index(), persisted.generation());
            }
        } else if (event instanceof AwaitApplied await) {
            reads.awaitApplied(await.index(), await.future(), effects.appliedIndex());
        } else if (event instanceof StatusRequest request) {
            request.result().complete(statusNow());
        } else if (event instanceof PersistFailed failed) {
            throw new IllegalStateException("the write-ahead log failed; node " + settings.nodeId()
                    + " stops serving to protect acknowledged data: " + failed.cause().getMessage(), failed.cause());
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
        List<Proposal> answers = replica.propose(payloads);
        writes.proposed(answers, System.nanoTime());
    }

    private void retryWaiting() {
        RoleState role = replica.roleState();
        if (role.leaderId() == null) {
            return;
        }
        writes.retryWaiting(role, System.nanoTime());
        reads.retryWaiting(role, replica::readIndex);
    }

    private void drainReady() {
        while (replica.hasReady()) {
            Ready ready = replica.ready();
            ready.performIn(effects);
            replica.advance(ready);
        }
    }

    /** The last effect of a Ready whose role, leader or generation changed. */
    private void onRoleChange(RoleState next) {
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
        log.info("Node {} is now {} in generation {} (leader: {})", settings.nodeId(), next.role(),
                next.generation(), next.leaderId());
        roleListener.accept(next);
        if (next.leaderId() != null) {
            retryWaiting();
        }
    }

    private NodeStatus statusNow() {
        return NodeStatus.of(settings.nodeId(), replica, effects.appliedIndex(), segmentedLog,
                settings.tickInterval().toMillis(), failure);
    }

    // ---------------------------------------------------------------- helpers

    private void failStop(Throwable cause) {
        failure = String.valueOf(PeerCalls.unwrap(cause).getMessage());
        roleState = new RoleState(Role.FOLLOWER, null, roleState.generation());
        failPending();
    }

    /** Answers everyone still waiting once the node stopped (the queue no longer runs). */
    private void failPending() {
        List<Propose> unqueuedWrites = new ArrayList<>();
        List<Read> unqueuedReads = new ArrayList<>();
        for (NodeEvent event : queue.drainRemaining()) {
            if (event instanceof Propose propose) {
                unqueuedWrites.add(propose);
            } else if (event instanceof Read read) {
                unqueuedReads.add(read);
            }
        }
        writes.stopped(forwarding.takeUnforwarded(), unqueuedWrites);
        reads.stopped(unqueuedReads);
    }

    /**
     * Stops ticking and processing within a bounded time and answers everyone still waiting.
     * Close the transport and the log after this.
     */
    @Override
    public void close() {
        timers.shutdownNow();
        try {
            queue.stop(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure == null) {
            failure = "node " + settings.nodeId() + " is shut down";
        }
        failPending();
        // The log and the transport belong to whoever opened them; they close them after this.
    }
}
