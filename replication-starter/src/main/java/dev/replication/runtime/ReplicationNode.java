package dev.replication.runtime;

import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.core.EntryType;
import dev.replication.core.HardState;
import dev.replication.core.LogEntry;
import dev.replication.core.Message;
import dev.replication.core.Proposal;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.Ready;
import dev.replication.core.Replica;
import dev.replication.core.ReplicaConfig;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.log.HardStateFile;
import dev.replication.log.SegmentedLog;
import dev.replication.state.ClientSequencer;
import dev.replication.state.CommandEnvelope;
import dev.replication.state.HybridClock;
import dev.replication.runtime.NodeEvent.AfterPersist;
import dev.replication.runtime.NodeEvent.AwaitApplied;
import dev.replication.runtime.NodeEvent.Inbound;
import dev.replication.runtime.NodeEvent.PersistFailed;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.runtime.NodeEvent.Read;
import dev.replication.runtime.NodeEvent.RetryPropose;
import dev.replication.runtime.NodeEvent.StatusRequest;
import dev.replication.runtime.NodeEvent.Tick;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the cluster: drives the pure consensus {@link Replica} from a single thread
 * (Singular Update Queue) and performs its effects in the safe order.
 *
 * <ul>
 *   <li>Hard state (generation, vote) is fsync'd before any message of the same {@link Ready}
 *       that depends on it; entries are durable before the acknowledgements that depend on them
 *       leave (they are chained after the log's fsync, in log order).
 *   <li>Committed entries are applied on this thread, then the callers waiting for them are
 *       answered: a caller never hears "done" for something not applied here.
 *   <li>A caller hears "not applied" only when its command certainly never entered the log,
 *       and "outcome unknown" whenever it may have.
 * </ul>
 *
 * <p>Everything arrives as a {@link NodeEvent}; the fields below the event queue are touched only
 * by the queue's thread.
 */
public final class ReplicationNode implements ReplicationGateway, InboundHandler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationNode.class);
    private static final byte[] EMPTY = new byte[0];

    private final NodeSettings settings;
    private final SegmentedLog segmentedLog;
    private final HardStateFile hardStateFile;
    private final PeerTransport transport;
    private final KeyValueStateMachine stateMachine;
    private final HybridClock clock = new HybridClock();
    private final Consumer<RoleState> roleListener;
    private final NodeMetrics metrics;
    private final SingularUpdateQueue<NodeEvent> queue;
    private final ScheduledExecutorService timers;
    private final ClientSequencer sequencer;
    private final AtomicLong readIds = new AtomicLong();

    private volatile RoleState roleState;
    private volatile long appliedIndexView;
    private volatile long commitIndexView;
    private volatile String failure;

    // Owned by the update-queue thread.
    private Replica replica;
    private long appliedIndex;
    private long lastSubmittedIndex;
    private CompletableFuture<Void> lastPersist = CompletableFuture.completedFuture(null);
    private final Map<Long, PendingProposal> proposals = new HashMap<>();
    private final Map<Long, PendingRead> reads = new HashMap<>();
    private final List<Waiter> appliedWaiters = new ArrayList<>();
    private final List<Propose> waitingForLeader = new ArrayList<>();
    private final List<Propose> toPropose = new ArrayList<>();
    private final Map<String, List<Propose>> toForward = new HashMap<>();
    private final List<Read> readsWaitingForLeader = new ArrayList<>();

    /**
     * @param roleListener told (on a separate thread, in order) whenever role, leader or
     *     generation change
     */
    public ReplicationNode(
            NodeSettings settings,
            SegmentedLog segmentedLog,
            HardStateFile hardStateFile,
            PeerTransport transport,
            KeyValueStateMachine stateMachine,
            Consumer<RoleState> roleListener,
            NodeMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.segmentedLog = Objects.requireNonNull(segmentedLog, "segmentedLog");
        this.hardStateFile = Objects.requireNonNull(hardStateFile, "hardStateFile");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.roleListener = roleListener == null ? state -> { } : roleListener;
        this.metrics = metrics == null ? NodeMetrics.NONE : metrics;
        // A fresh session per process: after a restart, new commands are never mistaken for
        // retries of the old process's commands.
        this.sequencer = new ClientSequencer(ClientSequencer.clientId(settings.nodeId(), UUID.randomUUID().toString()));
        this.queue = new SingularUpdateQueue<>("replication-" + settings.nodeId(), settings.queueCapacity(), 1024,
                this::process, this::failStop);
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "replication-timers-" + settings.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        // Every request has a deadline; answered requests must not keep theirs queued.
        timerPool.setRemoveOnCancelPolicy(true);
        this.timers = timerPool;
        this.roleState = new RoleState(Role.FOLLOWER, null, 0);
    }

    /** Recovers from the log and hard state, then starts ticking and accepting messages. */
    public void start() {
        HardState hardState = hardStateFile.load();
        replica = new Replica(replicaConfig(), hardState, segmentedLog, new SecureRandom());
        lastSubmittedIndex = segmentedLog.lastIndex();
        roleState = replica.roleState();
        log.info("Node {} recovered: generation {}, log [{}..{}], voters {}", settings.nodeId(),
                hardState.generation(), segmentedLog.firstIndex(), segmentedLog.lastIndex(), settings.voters());
        queue.start();
        transport.start(this);
        long tickMillis = settings.tickInterval().toMillis();
        timers.scheduleAtFixedRate(() -> queue.offer(Tick.INSTANCE), tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    private ReplicaConfig replicaConfig() {
        return new ReplicaConfig(settings.nodeId(), settings.voters(), settings.electionTimeoutTicks(),
                settings.heartbeatIntervalTicks(), settings.maxInflightAppends(), settings.maxEntriesPerAppend(),
                settings.maxBytesPerAppend());
    }

    // ---------------------------------------------------------------- public API (any thread)

    @Override
    public CompletableFuture<byte[]> submit(byte[] command, String idempotencyKey, Duration timeout) {
        CommandEnvelope envelope = sequencer.envelope(command, idempotencyKey);
        Propose propose = new Propose(envelope.encode(), System.nanoTime() + timeout.toNanos(), false);
        enqueue(propose, propose.result);
        scheduleDeadline(propose, timeout);
        CompletableFuture<byte[]> answer = propose.result.thenCompose(applied -> awaitApplied(applied.index(),
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(propose.deadlineNanos - System.nanoTime())),
                        () -> new OutcomeUnknownException("node " + settings.nodeId() + " did not apply index "
                                + applied.index() + " within " + timeout + " (applied " + appliedIndexView
                                + "); the write committed but this node has not caught up"))
                .thenApply(ignored -> applied.result()));
        // Whatever the outcome, this process never retries the sequence: the replicated state
        // may forget its answer.
        answer.whenComplete((ignored, error) -> sequencer.answered(envelope.sequence()));
        return answer;
    }

    @Override
    public CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
        if (consistency == ReadConsistency.STALE) {
            if (minIndex <= appliedIndexView) {
                return CompletableFuture.completedFuture(null);
            }
            return awaitApplied(minIndex, timeout.toMillis(), () -> new ReplicationUnavailableException("node "
                    + settings.nodeId() + " did not reach index " + minIndex + " within " + timeout + " (applied "
                    + appliedIndexView + "); read from another node", roleState.leaderId()));
        }
        Read read = new Read(readIds.incrementAndGet(), minIndex);
        enqueue(read, read.result);
        deadline(read.result, timeout.toMillis(), () -> new ReplicationUnavailableException(
                "no linearizable read served within " + timeout + " (no leader or no quorum); retry later",
                roleState.leaderId()));
        return read.result;
    }

    /** Completes once this node has applied {@code index}, or fails with {@code onTimeout}. */
    private CompletableFuture<Void> awaitApplied(long index, long timeoutMillis, Supplier<Throwable> onTimeout) {
        if (index <= appliedIndexView) {
            return CompletableFuture.completedFuture(null);
        }
        Waiter waiter = new Waiter(index, new CompletableFuture<>());
        enqueue(new AwaitApplied(waiter.index(), waiter.future()), waiter.future);
        deadline(waiter.future, timeoutMillis, onTimeout);
        return waiter.future;
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
        return appliedIndexView;
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
                    commitIndexView, appliedIndexView, segmentedLog.firstIndex(), segmentedLog.lastIndex(), Map.of(), failure));
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
            ForwardingProtocol.ForwardedCommands forwarded = ForwardingProtocol.decodeCommands(body);
            Duration timeout = Duration.ofMillis(forwarded.timeoutMillis());
            List<CompletableFuture<ForwardingProtocol.Answer>> answers = new ArrayList<>();
            for (byte[] envelope : forwarded.envelopes()) {
                Propose propose = new Propose(envelope, System.nanoTime() + timeout.toNanos(), true);
                enqueue(propose, propose.result);
                scheduleDeadline(propose, timeout);
                answers.add(propose.result.handle((applied, error) -> error == null ? applied : toAnswer(error)));
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> ForwardingProtocol.encodeAnswers(answers.stream().map(CompletableFuture::join).toList()));
        }
        return CompletableFuture.failedFuture(new IllegalArgumentException(
                "unknown peer operation '" + operation + "'; the peer may run a newer release"));
    }

    private static ForwardingProtocol.Answer toAnswer(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof NotAppliedException notApplied) {
            return new ForwardingProtocol.Answer.NotApplied(notApplied.leaderId(), String.valueOf(cause.getMessage()));
        }
        return new ForwardingProtocol.Answer.OutcomeUnknown(String.valueOf(cause.getMessage()));
    }

    // ---------------------------------------------------------------- the update-queue thread

    private void process(List<NodeEvent> events) {
        for (NodeEvent event : events) {
            handle(event);
        }
        do {
            proposeBatch();
            drainReady();
        } while (!toPropose.isEmpty());
        forwardBatches();
        commitIndexView = replica.commitIndex();
    }

    private void handle(NodeEvent event) {
        if (event instanceof Tick) {
            replica.tick();
            retryWaiting();
        } else if (event instanceof Inbound inbound) {
            replica.receive(inbound.message());
        } else if (event instanceof Propose propose) {
            dispatch(propose);
        } else if (event instanceof RetryPropose retry) {
            waitingForLeader.add(retry.propose());
        } else if (event instanceof Read read) {
            dispatch(read);
        } else if (event instanceof AfterPersist persisted) {
            send(persisted.messages());
            if (persisted.index() > 0) {
                replica.persisted(persisted.index(), persisted.generation());
            }
        } else if (event instanceof AwaitApplied await) {
            if (await.index() <= appliedIndex) {
                await.future().complete(null);
            } else {
                appliedWaiters.add(new Waiter(await.index(), await.future()));
            }
        } else if (event instanceof StatusRequest request) {
            request.result().complete(statusNow());
        } else if (event instanceof PersistFailed failed) {
            throw new IllegalStateException("the write-ahead log failed; node " + settings.nodeId()
                    + " stops serving to protect acknowledged data: " + failed.cause().getMessage(), failed.cause());
        }
    }

    private void dispatch(Propose propose) {
        if (propose.result.isDone()) {
            return;
        }
        if (System.nanoTime() - propose.deadlineNanos > 0) {
            return; // its deadline task answers it
        }
        RoleState role = replica.roleState();
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
            toForward.computeIfAbsent(role.leaderId(), leader -> new ArrayList<>()).add(propose);
        } else if (propose.forwardedToUs) {
            // We are not the leader any more: the forwarder retries with the leader it learns.
            propose.result.completeExceptionally(new NotAppliedException(
                    "node " + settings.nodeId() + " is not the leader", role.leaderId()));
        } else {
            waitingForLeader.add(propose);
        }
    }

    private void proposeBatch() {
        if (toPropose.isEmpty()) {
            return;
        }
        List<byte[]> payloads = new ArrayList<>(toPropose.size());
        for (Propose propose : toPropose) {
            payloads.add(CommandEnvelope.stamp(propose.envelope, clock.tick(System.currentTimeMillis())));
        }
        List<Proposal> answers = replica.propose(payloads);
        long now = System.nanoTime();
        for (int i = 0; i < answers.size(); i++) {
            Propose propose = toPropose.get(i);
            if (answers.get(i) instanceof Proposal.Accepted accepted) {
                proposals.put(accepted.index(), new PendingProposal(accepted.generation(), propose, now));
            } else {
                propose.markWaiting();
                waitingForLeader.add(propose);
            }
        }
        toPropose.clear();
    }

    private void forwardBatches() {
        toForward.forEach(this::forward);
        toForward.clear();
    }

    private void forward(String leaderId, List<Propose> batch) {
        long remainingMillis = Long.MAX_VALUE;
        List<byte[]> envelopes = new ArrayList<>(batch.size());
        for (Propose propose : batch) {
            remainingMillis = Math.min(remainingMillis, TimeUnit.NANOSECONDS.toMillis(propose.deadlineNanos - System.nanoTime()));
            envelopes.add(propose.envelope);
        }
        remainingMillis = Math.max(1, remainingMillis);
        transport.call(leaderId, ForwardingProtocol.PROPOSE, ForwardingProtocol.encodeCommands(envelopes, remainingMillis),
                        Duration.ofMillis(remainingMillis))
                .whenComplete((bytes, error) -> {
                    if (error != null) {
                        for (Propose propose : batch) {
                            if (PeerCalls.certainlyNotDelivered(error)) {
                                retryLater(propose);
                            } else {
                                propose.result.completeExceptionally(new OutcomeUnknownException(
                                        "forwarding to leader " + leaderId + " failed after sending: "
                                                + unwrap(error).getMessage() + "; the write may have committed"));
                            }
                        }
                        return;
                    }
                    List<ForwardingProtocol.Answer> answers;
                    try {
                        answers = ForwardingProtocol.decodeAnswers(bytes);
                    } catch (IllegalArgumentException malformed) {
                        batch.forEach(propose -> propose.result.completeExceptionally(new OutcomeUnknownException(
                                "leader " + leaderId + " sent an answer this node cannot read: " + malformed.getMessage()
                                        + "; the writes may have committed", malformed)));
                        return;
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        Propose propose = batch.get(i);
                        ForwardingProtocol.Answer answer = i < answers.size() ? answers.get(i)
                                : new ForwardingProtocol.Answer.OutcomeUnknown("leader " + leaderId
                                        + " answered " + answers.size() + " of " + batch.size() + " forwarded writes");
                        if (answer instanceof ForwardingProtocol.Answer.Applied applied) {
                            propose.result.complete(applied);
                        } else if (answer instanceof ForwardingProtocol.Answer.NotApplied) {
                            retryLater(propose);
                        } else {
                            propose.result.completeExceptionally(new OutcomeUnknownException("leader " + leaderId
                                    + ": " + ((ForwardingProtocol.Answer.OutcomeUnknown) answer).reason()));
                        }
                    }
                });
    }

    /** The command certainly did not enter the log: try again (with whoever leads) until the deadline. */
    private void retryLater(Propose propose) {
        propose.markWaiting();
        queue.offerInternal(new RetryPropose(propose));
    }

    private void dispatch(Read read) {
        if (read.isDone()) {
            return;
        }
        RoleState role = replica.roleState();
        if (role.role() == Role.LEADER || role.leaderId() != null) {
            reads.put(read.id, new PendingRead(read));
            replica.readIndex(read.id);
        } else {
            readsWaitingForLeader.add(read);
        }
    }

    private void retryWaiting() {
        if (replica.roleState().leaderId() == null) {
            return;
        }
        if (!waitingForLeader.isEmpty()) {
            List<Propose> waiting = new ArrayList<>(waitingForLeader);
            waitingForLeader.clear();
            waiting.forEach(this::dispatch);
        }
        if (!readsWaitingForLeader.isEmpty()) {
            List<Read> waiting = new ArrayList<>(readsWaitingForLeader);
            readsWaitingForLeader.clear();
            waiting.forEach(this::dispatch);
        }
    }

    private void drainReady() {
        while (replica.hasReady()) {
            Ready ready = replica.ready();
            perform(ready);
            replica.advance(ready);
        }
    }

    private void perform(Ready ready) {
        if (ready.hardState() != null) {
            // Synchronous and fsync'd, before anything of this Ready leaves: every message
            // carries the generation, and a vote must never be granted twice (a failure stops
            // the node).
            hardStateFile.save(ready.hardState());
        }
        send(ready.messages());
        long persistedIndex = 0;
        long persistedGeneration = 0;
        if (!ready.entries().isEmpty()) {
            List<LogEntry> entries = ready.entries();
            long first = entries.get(0).index();
            if (first <= lastSubmittedIndex) {
                // A follower drops a conflicting suffix; the log orders it before the append.
                segmentedLog.truncateSuffix(first);
            }
            LogEntry last = entries.get(entries.size() - 1);
            lastSubmittedIndex = last.index();
            observeStamps(entries);
            persistedIndex = last.index();
            persistedGeneration = last.generation();
            long started = System.nanoTime();
            int count = entries.size();
            lastPersist = segmentedLog.append(entries).thenApply(ignored -> {
                metrics.persisted(count, System.nanoTime() - started);
                return null;
            });
        }
        if (persistedIndex > 0 || !ready.messagesAfterPersist().isEmpty()) {
            AfterPersist after = new AfterPersist(ready.messagesAfterPersist(), persistedIndex, persistedGeneration);
            lastPersist.whenComplete((ignored, error) ->
                    queue.offerInternal(error == null ? after : new PersistFailed(unwrap(error))));
        }
        for (LogEntry entry : ready.committedEntries()) {
            apply(entry);
        }
        for (ReadState readState : ready.readStates()) {
            PendingRead pending = reads.remove(readState.requestId());
            if (pending != null) {
                serveRead(pending.read, readState.readIndex());
            }
        }
        for (ReadRejection rejection : ready.readRejections()) {
            PendingRead pending = reads.remove(rejection.requestId());
            if (pending != null) {
                readsWaitingForLeader.add(pending.read);
            }
        }
        if (ready.roleState() != null) {
            onRoleChange(ready.roleState());
        }
    }

    private void apply(LogEntry entry) {
        byte[] result = stateMachine.apply(entry);
        appliedIndex = entry.index();
        appliedIndexView = appliedIndex;
        PendingProposal pending = proposals.remove(entry.index());
        if (pending != null) {
            if (pending.generation == entry.generation()) {
                metrics.committed(System.nanoTime() - pending.startedNanos);
                pending.propose.result.complete(new ForwardingProtocol.Answer.Applied(entry.index(), result));
            } else {
                // Another leader's entry took this index: ours was overwritten and never committed.
                pending.propose.markWaiting();
                waitingForLeader.add(pending.propose);
            }
        }
        if (!appliedWaiters.isEmpty()) {
            Iterator<Waiter> waiters = appliedWaiters.iterator();
            while (waiters.hasNext()) {
                Waiter waiter = waiters.next();
                if (waiter.index() <= appliedIndex) {
                    waiter.future().complete(null);
                    waiters.remove();
                }
            }
        }
    }

    /**
     * Takes in the leader stamps of entries this node stores, so that if it becomes leader its
     * own stamps exceed every stamp already in its log (log time never goes back across
     * leaders whose clocks disagree).
     */
    private void observeStamps(List<LogEntry> entries) {
        for (LogEntry entry : entries) {
            if (entry.type() == EntryType.COMMAND) {
                try {
                    clock.observe(CommandEnvelope.timestampOf(entry.payload()));
                } catch (IllegalArgumentException malformed) {
                    // Applying answers a malformed command with MALFORMED; it carries no time.
                }
            }
        }
    }

    private void serveRead(Read read, long readIndex) {
        long required = Math.max(readIndex, read.minIndex);
        if (required - appliedIndex > settings.maxReadLag()) {
            read.result.completeExceptionally(new ReplicationUnavailableException("node " + settings.nodeId() + " is "
                    + (required - appliedIndex) + " entries behind the read index " + required
                    + "; read from another node or with STALE consistency", roleState.leaderId()));
            return;
        }
        if (required <= appliedIndex) {
            read.result.complete(null);
        } else {
            Waiter waiter = new Waiter(required, new CompletableFuture<>());
            waiter.future().whenComplete((ignored, error) -> {
                if (error == null) {
                    read.result.complete(null);
                } else {
                    read.result.completeExceptionally(error);
                }
            });
            appliedWaiters.add(waiter);
        }
    }

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
            // Entries we appended may still commit under the next leader: nobody may be told
            // "not applied" for them.
            for (PendingProposal pending : proposals.values()) {
                pending.propose.result.completeExceptionally(new OutcomeUnknownException(
                        "node " + settings.nodeId() + " lost leadership (generation " + next.generation()
                                + ") before the write committed; it may still commit"));
            }
            proposals.clear();
        }
        log.info("Node {} is now {} in generation {} (leader: {})", settings.nodeId(), next.role(),
                next.generation(), next.leaderId());
        roleListener.accept(next);
        if (next.leaderId() != null) {
            retryWaiting();
        }
    }

    private NodeStatus statusNow() {
        RoleState role = replica.roleState();
        Map<String, NodeStatus.PeerStatus> peers = new HashMap<>();
        long tickMillis = settings.tickInterval().toMillis();
        replica.progress().forEach((peer, progress) -> peers.put(peer, new NodeStatus.PeerStatus(
                progress.matchIndex(), Math.max(0, segmentedLog.lastIndex() - progress.matchIndex()),
                progress.ticksSinceLastContact() < 0 ? -1 : progress.ticksSinceLastContact() * tickMillis)));
        return new NodeStatus(settings.nodeId(), role.role(), role.leaderId(), role.generation(),
                replica.commitIndex(), appliedIndex, segmentedLog.firstIndex(), segmentedLog.lastIndex(),
                Map.copyOf(peers), failure);
    }

    private void send(List<Message> messages) {
        for (Message message : messages) {
            transport.send(message);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void enqueue(NodeEvent event, CompletableFuture<?> result) {
        if (failure != null) {
            result.completeExceptionally(new NotAppliedException("node " + settings.nodeId()
                    + " has stopped serving: " + failure, null));
        } else if (!queue.offer(event)) {
            result.completeExceptionally(new NotAppliedException("node " + settings.nodeId()
                    + " is overloaded (update queue full); retry later", roleState.leaderId()));
        }
    }

    /** Fails {@code result} with {@code error} unless it completes within {@code millis}. */
    private void deadline(CompletableFuture<?> result, long millis, Supplier<Throwable> error) {
        ScheduledFuture<?> task = timers.schedule(() -> result.completeExceptionally(error.get()), millis,
                TimeUnit.MILLISECONDS);
        result.whenComplete((ignored, failure) -> task.cancel(false));
    }

    private void scheduleDeadline(Propose propose, Duration timeout) {
        ScheduledFuture<?> task = timers.schedule(() -> {
            if (propose.markTimedOut()) {
                propose.result.completeExceptionally(new NotAppliedException("no leader accepted the write within "
                        + timeout + "; it was not appended, retry later", roleState.leaderId()));
            } else {
                propose.result.completeExceptionally(new OutcomeUnknownException("the write was not confirmed within "
                        + timeout + "; it may or may not have committed"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        propose.result.whenComplete((ignored, failure) -> task.cancel(false));
    }

    private void failStop(Throwable cause) {
        failure = String.valueOf(unwrap(cause).getMessage());
        roleState = new RoleState(Role.FOLLOWER, null, roleState.generation());
        failPending();
    }

    private void failPending() {
        for (PendingProposal pending : proposals.values()) {
            pending.propose.result.completeExceptionally(new OutcomeUnknownException(
                    "node " + settings.nodeId() + " stopped before the write was confirmed; it may have committed"));
        }
        for (Propose propose : toPropose) {
            propose.result.completeExceptionally(new NotAppliedException(
                    "node " + settings.nodeId() + " stopped before the write was appended", null));
        }
        for (List<Propose> batch : toForward.values()) {
            for (Propose propose : batch) {
                propose.result.completeExceptionally(new NotAppliedException(
                        "node " + settings.nodeId() + " stopped before the write was forwarded", null));
            }
        }
        for (Propose propose : waitingForLeader) {
            propose.result.completeExceptionally(new NotAppliedException(
                    "node " + settings.nodeId() + " stopped before the write was sent", null));
        }
        for (PendingRead pending : reads.values()) {
            pending.read.fail(new ReplicationUnavailableException("node " + settings.nodeId() + " stopped", null));
        }
        for (Read read : readsWaitingForLeader) {
            read.fail(new ReplicationUnavailableException("node " + settings.nodeId() + " stopped", null));
        }
        for (Waiter waiter : appliedWaiters) {
            waiter.future().completeExceptionally(new OutcomeUnknownException(
                    "node " + settings.nodeId() + " stopped before applying index " + waiter.index()));
        }
        for (NodeEvent event : queue.drainRemaining()) {
            if (event instanceof Propose propose) {
                propose.result.completeExceptionally(new NotAppliedException(
                        "node " + settings.nodeId() + " stopped before the write was sent", null));
            } else if (event instanceof Read read) {
                read.fail(new ReplicationUnavailableException("node " + settings.nodeId() + " stopped", null));
            }
        }
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

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private record Waiter(long index, CompletableFuture<Void> future) {
    }

    private record PendingProposal(long generation, Propose propose, long startedNanos) {
    }

    private record PendingRead(Read read) {
    }
}
