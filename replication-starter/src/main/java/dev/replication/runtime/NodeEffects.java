package dev.replication.runtime;

import dev.replication.core.HardState;
import dev.replication.core.InstallSnapshot;
import dev.replication.core.LogEntry;
import dev.replication.core.LostEntries;
import dev.replication.core.Message;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.ReadyEffects;
import dev.replication.core.RoleState;
import dev.replication.core.SnapshotInstall;
import dev.replication.core.StateMachine;
import dev.replication.log.HardStateFile;
import dev.replication.log.SegmentedLog;
import dev.replication.runtime.NodeEvent.AfterPersist;
import dev.replication.runtime.NodeEvent.PersistFailed;
import dev.replication.transport.PeerTransport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the node performs a {@link dev.replication.core.Ready}: the effects that
 * {@link dev.replication.core.Ready#performIn} calls in the contract's order, turned into I/O on
 * the hard-state file, the segmented log, the transport and the state machine.
 *
 * <p>Owned by the update-queue thread; only {@link #appliedIndexView()} is read by others.
 */
final class NodeEffects implements ReadyEffects {

    private static final Logger log = LoggerFactory.getLogger(NodeEffects.class);

    private final HardStateFile hardStateFile;
    private final SegmentedLog segmentedLog;
    private final PeerTransport transport;
    private final StateMachine<byte[]> stateMachine;
    private final PendingWrites writes;
    private final PendingReads reads;
    private final NodeMetrics metrics;
    private final Consumer<NodeEvent> internalEvents;
    private final Consumer<RoleState> roleChanges;
    private final Supplier<@Nullable String> leaderId;
    private final Snapshots snapshots;

    /** Stored entries whose stamps the state machine observes at start. */
    private static final int CLOCK_SEED_ENTRIES = 64;

    private long lastSubmittedIndex;
    private long lastStoredAtStart;
    private CompletableFuture<Void> lastPersist = CompletableFuture.completedFuture(null);
    private long appliedIndex;
    private long appliedBytes;
    private volatile long appliedIndexView;

    /**
     * @param internalEvents takes the node's own completions (an append became durable or failed)
     *     back into the update queue
     * @param roleChanges told of a changed role, last in each Ready
     * @param leaderId the leader as the node last reported it (for failing reads)
     */
    NodeEffects(
            HardStateFile hardStateFile,
            SegmentedLog segmentedLog,
            PeerTransport transport,
            StateMachine<byte[]> stateMachine,
            PendingWrites writes,
            PendingReads reads,
            NodeMetrics metrics,
            Consumer<NodeEvent> internalEvents,
            Consumer<RoleState> roleChanges,
            Supplier<@Nullable String> leaderId,
            Snapshots snapshots) {
        this.hardStateFile = hardStateFile;
        this.segmentedLog = segmentedLog;
        this.transport = transport;
        this.stateMachine = stateMachine;
        this.writes = writes;
        this.reads = reads;
        this.metrics = metrics;
        this.internalEvents = internalEvents;
        this.roleChanges = roleChanges;
        this.leaderId = leaderId;
        this.snapshots = snapshots;
    }

    /**
     * Continues after what the log recovered. A restarted leader must stamp later than every stamp
     * it stored, and entries are observed only as they are appended: so the state machine observes
     * the log's tail now (stamps grow along a log: each leader observed its log before stamping),
     * and every replayed entry again as it is applied.
     */
    void recovered(long snapshotIndex, long firstStoredIndex, long lastStoredIndex) {
        appliedIndex = snapshotIndex;
        appliedIndexView = snapshotIndex;
        lastSubmittedIndex = lastStoredIndex;
        lastStoredAtStart = lastStoredIndex;
        for (long index = Math.max(firstStoredIndex, lastStoredIndex - CLOCK_SEED_ENTRIES + 1);
                index <= lastStoredIndex;
                index++) {
            stateMachine.observe(segmentedLog.entry(index));
        }
    }

    @Override
    public void persistHardState(HardState hardState) {
        // Synchronous and fsync'd, before anything of this Ready leaves: every message carries
        // the generation, and a vote must never be granted twice (a failure stops the node).
        hardStateFile.save(hardState);
    }

    /**
     * The store and the state machine take the leader's snapshot now (see {@link Snapshots#install});
     * the log restarts after it on its writer thread, in order with the appends already submitted,
     * and the acknowledgements of this Ready wait for that restart.
     */
    @Override
    public void installSnapshot(SnapshotInstall install) {
        CompletableFuture<Void> restarted = snapshots.install(install);
        if (!install.keepSuffix()) {
            lastSubmittedIndex = install.index();
            lastStoredAtStart = Math.min(lastStoredAtStart, install.index());
        }
        // Acknowledgements wait for the log's restart as they wait for an append.
        lastPersist = lastPersist.thenCombine(restarted, (ignored, alsoIgnored) -> null);
        appliedIndex = install.index();
        appliedIndexView = appliedIndex;
        reads.applied(appliedIndex);
    }

    @Override
    public void send(List<Message> messages) {
        for (Message message : messages) {
            if (message instanceof InstallSnapshot install) {
                snapshots.send(install); // streamed on its own threads, never through the message channel
            } else {
                transport.send(message);
            }
        }
    }

    @Override
    public void append(List<LogEntry> entries) {
        long first = entries.get(0).index();
        if (first <= lastSubmittedIndex) {
            // A follower drops a conflicting suffix; the log orders it before the append.
            segmentedLog.truncateSuffix(first);
        }
        lastSubmittedIndex = entries.get(entries.size() - 1).index();
        for (LogEntry entry : entries) {
            stateMachine.observe(entry);
        }
        long started = System.nanoTime();
        int count = entries.size();
        lastPersist = segmentedLog.append(entries).thenApply(ignored -> {
            metrics.persisted(count, System.nanoTime() - started);
            return null;
        });
    }

    /** Chained after the last append's fsync, so acknowledgements leave in log order. */
    @Override
    public void afterPersist(List<Message> messages, long lastIndex, long lastGeneration) {
        AfterPersist after = new AfterPersist(messages, lastIndex, lastGeneration);
        lastPersist.whenComplete((ignored, error) ->
                internalEvents.accept(error == null ? after : new PersistFailed(PeerCalls.unwrap(error))));
    }

    @Override
    public void apply(LogEntry committed) {
        if (committed.index() <= lastStoredAtStart) {
            stateMachine.observe(committed);
        }
        byte[] result = stateMachine.apply(committed);
        appliedIndex = committed.index();
        appliedBytes += committed.payloadSize();
        appliedIndexView = appliedIndex;
        writes.applied(committed, result, System.nanoTime());
        reads.applied(appliedIndex);
    }

    @Override
    public void reads(List<ReadState> readStates, List<ReadRejection> readRejections) {
        reads.answered(readStates, readRejections, appliedIndex, leaderId.get());
    }

    /** Said once per finding: the core reports each one once. */
    @Override
    public void followerLostEntries(List<LostEntries> lost) {
        for (LostEntries each : lost) {
            log.warn(
                    "Follower {} lost entries {}..{} it had acknowledged (its log now agrees with this leader's"
                            + " at most up to {}: it acknowledged before fsync, as with fsync-policy=interval, and lost"
                            + " power); resending them",
                    each.follower(),
                    each.fromIndex(),
                    each.toIndex(),
                    each.fromIndex() - 1);
            metrics.followerLogRegression(each.follower());
        }
    }

    @Override
    public void roleChanged(RoleState roleState) {
        roleChanges.accept(roleState);
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** Payload bytes applied since start (for the checkpoint threshold in bytes). */
    long appliedBytes() {
        return appliedBytes;
    }

    /** The applied index for other threads (a volatile copy). */
    long appliedIndexView() {
        return appliedIndexView;
    }
}
