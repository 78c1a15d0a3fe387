package dev.replication.runtime;

import dev.replication.log.LowWaterMarkFile;
import dev.replication.state.CheckpointContents;
import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointNotWrittenException;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointStore;
import dev.replication.state.KeyValueStateMachine;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of the state machine into a {@link CheckpointStore}, and the Low-Water Mark that
 * lets the log forget what they cover. The order is the safety argument:
 *
 * <ol>
 *   <li>on the update thread, between two applies, the machine hands over what changed since the
 *       previous checkpoint (microseconds: a change record, not a copy of the state);
 *   <li>on the checkpoint thread, the store writes those changes in one transaction, syncs and
 *       reads back the applied index;
 *   <li>still there, the Low-Water Mark naming that index is written and fsync'd;
 *   <li>only then is the node told ({@link NodeEvent.CheckpointDurable}); on its update thread it tells the core not to
 *       read below the first kept entry and then has the log delete whole segments below it.
 * </ol>
 *
 * A crash between any two steps leaves a durable checkpoint at least as new as the mark, and every
 * log entry above the mark. At most one checkpoint is in flight. A failed one is retried after a
 * pause: carrying its changes into the next when the store rolled it back, on from it when the
 * store took it but the mark failed, and with the whole state when the store cannot tell whether it
 * holds it.
 */
final class Checkpointing implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointing.class);

    /** The pause after a failed checkpoint before the next attempt. */
    static final Duration FIRST_RETRY_PAUSE = Duration.ofSeconds(1);

    /** The longest pause between attempts while checkpoints keep failing. */
    static final Duration MAX_RETRY_PAUSE = Duration.ofMinutes(1);

    /** Where the newest durable checkpoint stands (the core's snapshot base); (0, 0) for none. */
    record Base(long index, long generation) {
        static final Base NONE = new Base(0, 0);
    }

    private final String nodeId;
    private final KeyValueStateMachine machine;
    private final CheckpointStore store;
    private final LowWaterMarkFile lowWaterMark;
    private final CheckpointSettings settings;
    private final ExecutorService writer;
    private @Nullable Consumer<NodeEvent> events;

    // Update thread only.
    private long lastCheckpointIndex;
    private long appliedBytesAtLastCheckpoint;
    private boolean inFlight;
    private boolean needsFullCapture;
    // Checkpoint thread only: the changes of a write the store did not take, carried into the next.
    private @Nullable CheckpointDelta unwritten;
    // After a failure, no new attempt before notBeforeNanos: each attempt writes at least every
    // change since the last durable checkpoint, so a store that keeps failing must not be retried
    // on every turn. 0: no failure.
    private long retryPauseNanos;
    private long notBeforeNanos;
    private volatile @Nullable String lastFailure;
    private volatile long lastDurableIndex;

    Checkpointing(
            String nodeId,
            KeyValueStateMachine machine,
            CheckpointStore store,
            LowWaterMarkFile lowWaterMark,
            CheckpointSettings settings) {
        this.nodeId = nodeId;
        this.machine = Objects.requireNonNull(machine, "machine");
        this.store = Objects.requireNonNull(store, "store");
        this.lowWaterMark = Objects.requireNonNull(lowWaterMark, "lowWaterMark");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "replication-checkpoint-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Start only: loads the newest checkpoint into the machine and checks it against the
     * Low-Water Mark.
     *
     * @throws IllegalStateException when the checkpoint is older than the mark: log entries it
     *     needs were deleted, so the state would have a hole (the checkpoint store was replaced or
     *     lost); the message says what to do
     */
    Base restore(Consumer<NodeEvent> events) {
        this.events = events;
        LowWaterMarkFile.Mark mark = lowWaterMark.load();
        CheckpointContents contents = new CheckpointContents();
        Optional<CheckpointHeader> loaded = store.loadLatest(contents);
        long index = loaded.map(CheckpointHeader::appliedIndex).orElse(0L);
        if (index < mark.index()) {
            throw new IllegalStateException("node " + nodeId + ": the checkpoint store holds "
                    + (loaded.isPresent() ? "a checkpoint at index " + index : "no checkpoint")
                    + ", but the Low-Water Mark (" + lowWaterMark.file() + ") says log entries up to " + mark.index()
                    + " were deleted after a checkpoint there was durable: the checkpoint store was lost or replaced"
                    + " by an older copy. Restore the whole data directory from one backup, or wipe it and let the"
                    + " node rejoin the cluster.");
        }
        if (loaded.isEmpty()) {
            return Base.NONE;
        }
        machine.restore(contents);
        lastCheckpointIndex = index;
        lastDurableIndex = index;
        log.info("Node {} restored its checkpoint at index {} from {}", nodeId, index, settings.describeStore());
        return new Base(index, loaded.get().appliedGeneration());
    }

    /**
     * Update thread, after each turn: starts a checkpoint when enough was applied since the last
     * one (entries or bytes) and none is in flight.
     */
    void afterTurn(long appliedIndex, long appliedBytesTotal) {
        if (inFlight || appliedIndex <= lastCheckpointIndex) {
            return;
        }
        if (retryPauseNanos > 0 && System.nanoTime() - notBeforeNanos < 0) {
            return;
        }
        boolean dueByEntries = appliedIndex - lastCheckpointIndex >= settings.everyEntries();
        boolean dueByBytes = appliedBytesTotal - appliedBytesAtLastCheckpoint >= settings.everyBytes();
        if (dueByEntries || dueByBytes) {
            start(appliedBytesTotal);
        }
    }

    /**
     * Update thread: starts a checkpoint of everything applied now, whatever the thresholds (for a
     * backup), unless one is in flight or nothing was applied since the last.
     */
    void checkpointNow(long appliedIndex, long appliedBytesTotal) {
        if (!inFlight && appliedIndex > lastCheckpointIndex) {
            start(appliedBytesTotal);
        }
    }

    private void start(long appliedBytesTotal) {
        long started = System.nanoTime();
        CheckpointDelta delta = needsFullCapture ? machine.captureAll() : machine.captureChanges();
        needsFullCapture = false;
        inFlight = true;
        appliedBytesAtLastCheckpoint = appliedBytesTotal;
        try {
            writer.execute(() -> write(delta, started));
        } catch (RejectedExecutionException closing) {
            inFlight = false;
            needsFullCapture = true; // the captured changes were handed over and are gone
        }
    }

    /** Update thread: the outcome of a checkpoint the node was told about. */
    void finished(long index) {
        inFlight = false;
        retryPauseNanos = 0;
        lastCheckpointIndex = Math.max(lastCheckpointIndex, index);
    }

    /**
     * Update thread: a checkpoint failed. The next one starts after a pause of {@link
     * #FIRST_RETRY_PAUSE} doubling with each failure in a row up to {@link #MAX_RETRY_PAUSE}; it
     * carries the failed one's changes, or writes the whole state when {@code wholeNext} (what the
     * store holds is not known).
     */
    void failed(boolean wholeNext) {
        inFlight = false;
        needsFullCapture |= wholeNext;
        retryPauseNanos = retryPauseNanos == 0
                ? FIRST_RETRY_PAUSE.toNanos()
                : Math.min(2 * retryPauseNanos, MAX_RETRY_PAUSE.toNanos());
        notBeforeNanos = System.nanoTime() + retryPauseNanos;
    }

    /**
     * Runs {@code work} on the checkpoint thread, after any checkpoint in flight, so the store sees
     * one writer at a time (a snapshot import replacing everything, an export for a follower).
     */
    <T> CompletableFuture<T> onCheckpointThread(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    result.complete(work.call());
                } catch (Exception | Error e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException closing) {
            result.completeExceptionally(new IllegalStateException("node " + nodeId + " is closing", closing));
        }
        return result;
    }

    /**
     * Update thread: the store now holds an installed snapshot at {@code index} (the machine was
     * restored from it), so the next checkpoint continues from there.
     */
    void installed(long index) {
        lastCheckpointIndex = index;
        lastDurableIndex = index;
        needsFullCapture = false;
        // The store now holds the snapshot: changes of a failed write before it no longer apply.
        onCheckpointThread(() -> unwritten = null);
    }

    /** The first log index to keep after a checkpoint at {@code index}: a margin below it stays. */
    long firstKeptIndex(long index) {
        return Math.max(1, index - settings.marginEntries() + 1);
    }

    long lastDurableIndex() {
        return lastDurableIndex;
    }

    @Nullable
    String lastFailure() {
        return lastFailure;
    }

    private void write(CheckpointDelta captured, long started) {
        Consumer<NodeEvent> to = Objects.requireNonNull(events, "restore first");
        long index = captured.header().appliedIndex();
        CheckpointDelta delta = unwritten == null ? captured : unwritten.followedBy(captured);
        unwritten = null;
        boolean stored = false;
        try {
            CheckpointReceipt receipt;
            try {
                receipt = store.write(delta);
            } catch (CheckpointNotWrittenException notWritten) {
                unwritten = delta; // the store kept the previous checkpoint: the next write carries these changes
                throw notWritten;
            }
            stored = true; // from here on the store holds it, whether or not the mark follows
            lowWaterMark.save(new LowWaterMarkFile.Mark(receipt.appliedIndex(), receipt.appliedGeneration()));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            lastDurableIndex = receipt.appliedIndex();
            lastFailure = null;
            log.info(
                    "Node {} checkpointed at index {} in {} ms ({} rows written, {} deleted)",
                    nodeId,
                    receipt.appliedIndex(),
                    tookMillis,
                    receipt.rowsWritten(),
                    receipt.rowsDeleted());
            to.accept(new NodeEvent.CheckpointDurable(receipt.appliedIndex(), receipt.appliedGeneration(), tookMillis));
        } catch (IOException | RuntimeException e) {
            lastFailure = "checkpoint at index " + index + " failed: " + e.getMessage();
            log.warn(
                    "Node {}: the checkpoint at index {} failed ({}); the log keeps every entry above the last"
                            + " durable checkpoint ({}) and the next checkpoint, after a pause that doubles with"
                            + " each failure in a row (up to a minute), {}",
                    nodeId,
                    index,
                    e.toString(),
                    lastDurableIndex,
                    stored || unwritten != null ? "carries on from it" : "writes the whole state",
                    e);
            to.accept(new NodeEvent.CheckpointFailed(index, !stored && unwritten == null));
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Node {}: a checkpoint still running after 30 s is abandoned at shutdown", nodeId);
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
    }
}
