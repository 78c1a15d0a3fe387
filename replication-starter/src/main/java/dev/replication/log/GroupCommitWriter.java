package dev.replication.log;

import dev.replication.core.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's single writer thread (Singular Update Queue with group commit): it takes every
 * task waiting in its queue as one batch, writes the batch, forces once, and only then
 * completes the batch's append futures. Under load many appends share one fsync; at low load
 * a lone append is forced at once, so group commit costs no latency.
 *
 * <p>A full disk is not a failure: when a write finds no space ({@link DiskFullException}),
 * the append waits, unacknowledged, while the writer tries it again every
 * {@link LogOptions#diskFullRetryInterval()}; {@link #health()} says so meanwhile, readers go
 * on reading, and once space returns the append and everything queued behind it complete.
 *
 * <p>Sticky failure: after any other I/O error the writer stops; the failed batch, every
 * queued task and every later submission fail with the same cause, because the state of the
 * files after a failed write or fsync is unknown and only a restart (recovery) can establish it.
 */
final class GroupCommitWriter {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_BATCH_TASKS = 4096;
    private static final long IDLE = Long.MIN_VALUE;

    /** One unit of work, completed by the writer in submission order. */
    sealed interface Task permits Append, TruncateSuffix, TruncatePrefix, RestartAt, Stop {
        CompletableFuture<?> done();
    }

    record Append(List<LogEntry> entries, CompletableFuture<Long> done) implements Task {
        long lastIndex() {
            return entries.get(entries.size() - 1).index();
        }
    }

    record TruncateSuffix(long fromIndex, CompletableFuture<Void> done) implements Task {}

    record TruncatePrefix(long upToIndex, CompletableFuture<Void> done) implements Task {}

    record RestartAt(long nextIndex, CompletableFuture<Void> done) implements Task {}

    record Stop(CompletableFuture<Void> done) implements Task {}

    private final SegmentStore store;
    private final LogOptions options;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Object submitLock = new Object();
    private final Thread thread;
    private final List<Append> unsynced = new ArrayList<>();
    private @Nullable RuntimeException failure;
    private boolean stopped;
    // Set only by the writer thread itself when a callback closes the log.
    private @Nullable Runnable exitAction;
    private long forceCount;
    private long nextIntervalForceNanos;
    // Read by any thread for health: when the persist in progress began (IDLE when none), how
    // long the last one took, and why appends wait (null while the disk has space).
    private volatile long persistStartedNanos = IDLE;
    private volatile long lastPersistNanos;
    private volatile @Nullable String diskFull;

    GroupCommitWriter(SegmentStore store, LogOptions options) {
        this.store = store;
        this.options = options;
        this.thread = new Thread(this::run, "wal-writer-" + store.dir().getFileName());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues {@code task} unless the writer has failed or stopped; {@code check} runs under
     * the submission lock so index checks and queue order agree.
     */
    void submit(Task task, Runnable check) {
        synchronized (submitLock) {
            if (failure != null) {
                task.done().completeExceptionally(failure);
                return;
            }
            if (stopped) {
                task.done().completeExceptionally(closedException());
                return;
            }
            check.run();
            queue.add(task);
        }
    }

    /**
     * Fails every queued task, lets the batch in progress finish, stops the thread, then runs
     * {@code afterStop} (closing the files). Called from a future's callback, which runs on the
     * writer thread, it returns at once and the thread runs {@code afterStop} as it exits.
     */
    void stop(Runnable afterStop) {
        CompletableFuture<Void> stoppedSignal = new CompletableFuture<>();
        synchronized (submitLock) {
            if (!stopped) {
                stopped = true;
                failQueued(closedException());
                queue.add(new Stop(stoppedSignal));
                // Wakes a writer waiting for disk space.
                submitLock.notifyAll();
            }
        }
        if (Thread.currentThread() == thread) {
            exitAction = afterStop;
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        afterStop.run();
    }

    /** Any thread: the disk-full state and the persist timings, without waiting for the writer. */
    LogHealth health() {
        long started = persistStartedNanos;
        long inProgressNanos = started == IDLE ? 0 : System.nanoTime() - started;
        return new LogHealth(
                diskFull,
                TimeUnit.NANOSECONDS.toMillis(inProgressNanos),
                TimeUnit.NANOSECONDS.toMillis(lastPersistNanos),
                options.stallThreshold().toMillis());
    }

    /** Number of fsyncs the writer issued for appended records (roll and truncation forces excluded). */
    synchronized long forceCount() {
        return forceCount;
    }

    private void run() {
        try {
            writeBatches();
        } finally {
            if (exitAction != null) {
                try {
                    exitAction.run();
                } catch (RuntimeException e) {
                    log.error("Closing the write-ahead log in {} after its writer stopped failed", store.dir(), e);
                }
            }
        }
    }

    private void writeBatches() {
        List<Task> batch = new ArrayList<>();
        try {
            while (true) {
                batch.clear();
                Task first = nextTask();
                if (first == null) {
                    persistStarted();
                    forceIfIntervalElapsed();
                    persistEnded();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH_TASKS - 1);
                if (process(batch)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(
                    new WriteAheadLogException(
                            "the log writer for " + store.dir() + " was interrupted and stopped;"
                                    + " reopen the log to write again",
                            e),
                    batch);
        } catch (Exception | Error e) {
            fail(
                    new WriteAheadLogException(
                            "the write-ahead log in " + store.dir() + " failed: " + e
                                    + ". It accepts no further writes; records not yet acknowledged may be lost. Fix the cause"
                                    + " (a full disk, a failing device, permissions), then restart the node: recovery on open"
                                    + " keeps every acknowledged record.",
                            e),
                    batch);
        }
    }

    /** Processes one batch; returns true when the writer must exit (it was stopped). */
    private boolean process(List<Task> batch) throws Exception {
        persistStarted();
        for (int k = 0; k < batch.size(); k++) {
            Task task = batch.get(k);
            if (task instanceof Append append) {
                if (!writeWaitingForSpace(append)) {
                    failClosedWhileDiskFull(batch.subList(k, batch.size()));
                    return true;
                }
                if (options.fsyncPolicy() == FsyncPolicy.ALWAYS) {
                    unsynced.add(append);
                } else {
                    append.done().complete(append.lastIndex());
                }
            } else if (task instanceof TruncateSuffix truncate) {
                syncAndComplete();
                store.truncateSuffix(truncate.fromIndex());
                truncate.done().complete(null);
            } else if (task instanceof TruncatePrefix truncate) {
                syncAndComplete();
                store.truncatePrefix(truncate.upToIndex());
                truncate.done().complete(null);
            } else if (task instanceof RestartAt restart) {
                syncAndComplete();
                store.restartAt(restart.nextIndex());
                restart.done().complete(null);
            } else if (task instanceof Stop stop) {
                syncAndComplete();
                stop.done().complete(null);
                return true;
            }
        }
        if (options.fsyncPolicy() == FsyncPolicy.ALWAYS) {
            syncAndComplete();
        } else {
            forceIfIntervalElapsed();
        }
        persistEnded();
        return false;
    }

    /**
     * Writes the append, waiting and retrying while the disk is full. Returns false when the
     * log was closed meanwhile (the append is then not written in full).
     */
    private boolean writeWaitingForSpace(Append append) throws Exception {
        while (true) {
            List<LogEntry> unwritten = unwritten(append.entries());
            if (unwritten.isEmpty()) {
                return true;
            }
            try {
                store.append(unwritten);
                if (diskFull != null) {
                    log.info("The disk holding the write-ahead log {} has space again; appends continue", store.dir());
                    diskFull = null;
                }
                return true;
            } catch (DiskFullException e) {
                if (diskFull == null) {
                    diskFull = "the disk holding the write-ahead log " + store.dir() + " is full (" + e.getMessage()
                            + "): appends wait, unacknowledged, and are retried every "
                            + options.diskFullRetryInterval().toMillis() + " ms; free space on that disk";
                    log.error("Write-ahead log: {}", diskFull);
                }
                if (!awaitRetry()) {
                    return false;
                }
            }
        }
    }

    // After a full disk interrupted an append, its first entries may be written already.
    private List<LogEntry> unwritten(List<LogEntry> entries) {
        long written = store.lastIndex();
        int from = (int) Math.max(
                0, Math.min(entries.size(), written + 1 - entries.get(0).index()));
        return entries.subList(from, entries.size());
    }

    /** Waits one retry interval; false when the log was stopped meanwhile. */
    private boolean awaitRetry() throws InterruptedException {
        synchronized (submitLock) {
            if (!stopped) {
                submitLock.wait(Math.max(1, options.diskFullRetryInterval().toMillis()));
            }
            return !stopped;
        }
    }

    private void failClosedWhileDiskFull(List<Task> unfinished) {
        WriteAheadLogException cause = new WriteAheadLogException("the write-ahead log in " + store.dir()
                + " was closed while the disk was full; the append was not acknowledged (its entries may or may not"
                + " be in the log when it is opened again)");
        for (Append append : unsynced) {
            append.done().completeExceptionally(cause);
        }
        unsynced.clear();
        for (Task task : unfinished) {
            task.done().completeExceptionally(cause);
        }
        persistEnded();
    }

    private void persistStarted() {
        persistStartedNanos = System.nanoTime();
    }

    private void persistEnded() {
        long started = persistStartedNanos;
        if (started != IDLE) {
            lastPersistNanos = System.nanoTime() - started;
            persistStartedNanos = IDLE;
        }
    }

    /** The next task, or null when an interval force is due first. */
    private @Nullable Task nextTask() throws InterruptedException {
        if (options.fsyncPolicy() == FsyncPolicy.INTERVAL && store.durableIndex() < store.lastIndex()) {
            long wait = nextIntervalForceNanos - System.nanoTime();
            return wait <= 0 ? null : queue.poll(wait, TimeUnit.NANOSECONDS);
        }
        return queue.take();
    }

    private void forceIfIntervalElapsed() throws Exception {
        if (store.durableIndex() >= store.lastIndex()) {
            nextIntervalForceNanos = System.nanoTime() + options.fsyncInterval().toNanos();
            return;
        }
        if (System.nanoTime() - nextIntervalForceNanos >= 0) {
            forceAndCount();
        }
    }

    private void syncAndComplete() throws Exception {
        if (unsynced.isEmpty()) {
            return;
        }
        forceAndCount();
        // Futures complete only after the force returned: the records they promise are durable.
        for (Append append : unsynced) {
            append.done().complete(append.lastIndex());
        }
        unsynced.clear();
    }

    private void forceAndCount() throws Exception {
        store.sync();
        synchronized (this) {
            forceCount++;
        }
        nextIntervalForceNanos = System.nanoTime() + options.fsyncInterval().toNanos();
    }

    private void fail(RuntimeException cause, List<Task> batch) {
        log.error("Write-ahead log writer stopped", cause);
        synchronized (submitLock) {
            failure = cause;
            for (Append append : unsynced) {
                append.done().completeExceptionally(cause);
            }
            unsynced.clear();
            for (Task task : batch) {
                task.done().completeExceptionally(cause);
            }
            failQueued(cause);
        }
    }

    private void failQueued(RuntimeException cause) {
        List<Task> queued = new ArrayList<>();
        queue.drainTo(queued);
        for (Task task : queued) {
            if (task instanceof Stop stop) {
                stop.done().complete(null);
            } else {
                task.done().completeExceptionally(cause);
            }
        }
    }

    private WriteAheadLogException closedException() {
        return new WriteAheadLogException("the write-ahead log in " + store.dir()
                + " is closed; the request was not written. Open the log again to write.");
    }
}
