package dev.replication.runtime;

import dev.replication.log.FileLayer;
import dev.replication.runtime.SnapshotTransferProtocol.Answer;
import dev.replication.runtime.SnapshotTransferProtocol.SnapshotId;
import dev.replication.transport.PeerTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of a snapshot transfer: streams one local snapshot file to one peer as a
 * sequence of {@code install-snapshot} calls, one chunk in flight at a time, so memory per
 * transfer is one chunk whatever the file's size.
 *
 * <p>Every answer says the offset the receiver holds next, and the sender goes on from there:
 * a retried or duplicated chunk is harmless, and a transfer started anew (after a leader restart,
 * or the same snapshot sent again) first asks with an empty chunk and resumes where the receiver
 * is rather than at 0. The last chunk carries the whole file's CRC32C; a mismatch makes the
 * receiver delete what it has and the sender start again from 0, a bounded number of times.
 *
 * <p>Failed calls are retried with backoff, whether {@code NOT_DELIVERED} or
 * {@code MAYBE_DELIVERED} (chunks are idempotent by offset), up to {@link SnapshotSenderSettings#maxAttempts}
 * in a row without progress; then the transfer fails with a {@link SnapshotTransferException}
 * naming the peer, the offset and why. All file reads and all steps run on the executor this
 * sender is given, never on the caller's thread (the update queue) nor the transport's.
 */
public final class SnapshotSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);
    /** A buffer for folding skipped bytes into the checksum when the chunk itself has none. */
    private static final int MIN_SCRATCH_BYTES = 8192;

    private final PeerTransport transport;
    private final FileLayer files;
    private final Executor executor;
    private final SnapshotSenderSettings settings;
    private final int chunkBytes;
    private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param executor runs every step of every transfer (file reads included); not the update queue
     * @throws IllegalArgumentException when the transport's request limit leaves no room for data
     */
    public SnapshotSender(
            PeerTransport transport, FileLayer files, Executor executor, SnapshotSenderSettings settings) {
        this.transport = transport;
        this.files = files;
        this.executor = executor;
        this.settings = settings;
        long room = (long) transport.maxRequestBytes() - SnapshotTransferProtocol.CHUNK_HEADER_BYTES;
        if (room < 1) {
            throw new IllegalArgumentException("peer requests of at most " + transport.maxRequestBytes()
                    + " bytes leave no room for snapshot data after the " + SnapshotTransferProtocol.CHUNK_HEADER_BYTES
                    + "-byte chunk header");
        }
        this.chunkBytes = (int) Math.min(settings.chunkBytes(), room);
    }

    /** The data bytes per chunk actually sent: the configured size, or less to fit the transport's limit. */
    public int chunkBytes() {
        return chunkBytes;
    }

    /**
     * Starts sending {@code file} to {@code peerId}, cancelling an older transfer to that peer.
     * Returns at once; the future completes when the peer confirms it holds the whole snapshot
     * durably, or fails with a {@link SnapshotTransferException} (or a
     * {@link CancellationException} when cancelled or superseded). Cancelling the future stops
     * the transfer.
     *
     * @param snapshotIndex the last log index the snapshot covers
     * @param snapshotGeneration the generation of the entry at {@code snapshotIndex}
     * @param leaderGeneration the generation in which this leader sends it
     */
    public CompletableFuture<SnapshotTransferProgress> send(
            String peerId, Path file, long snapshotIndex, long snapshotGeneration, long leaderGeneration) {
        Transfer transfer = new Transfer(peerId, file, snapshotIndex, snapshotGeneration, leaderGeneration);
        if (closed) {
            transfer.result.completeExceptionally(new CancellationException("the snapshot sender is closed"));
            return transfer.result;
        }
        Transfer older = transfers.put(peerId, transfer);
        if (older != null) {
            older.cancel("a transfer of snapshot at index " + snapshotIndex + " to the same peer started");
        }
        transfer.step(transfer::open);
        return transfer.result;
    }

    /** Stops the transfer to {@code peerId}, if any (the peer left, or this node stopped leading). */
    public void cancel(String peerId) {
        Transfer transfer = transfers.remove(peerId);
        if (transfer != null) {
            transfer.cancel("cancelled");
        }
    }

    /** The transfer in progress to {@code peerId}, or null. */
    public @Nullable SnapshotTransferProgress progress(String peerId) {
        Transfer transfer = transfers.get(peerId);
        return transfer == null ? null : transfer.progress();
    }

    /** Every transfer in progress, by peer. */
    public Map<String, SnapshotTransferProgress> progress() {
        Map<String, SnapshotTransferProgress> progress = new TreeMap<>();
        transfers.forEach((peer, transfer) -> progress.put(peer, transfer.progress()));
        return progress;
    }

    /** Cancels every transfer; later {@link #send}s fail at once. */
    @Override
    public void close() {
        closed = true;
        transfers.keySet().forEach(this::cancel);
    }

    /**
     * One transfer. Its steps run one after another (each schedules at most the next), so its
     * mutable fields need no lock; progress fields are volatile for readers on other threads.
     */
    private final class Transfer {
        final String peerId;
        final Path file;
        final long snapshotIndex;
        final long snapshotGeneration;
        final long leaderGeneration;
        final CompletableFuture<SnapshotTransferProgress> result = new CompletableFuture<>();

        private FileLayer.@Nullable FileHandle handle;
        private @Nullable SnapshotId snapshot;
        /** The body in flight, kept for resends: a transport may still hold the array it was given. */
        private byte[] body = new byte[0];

        private long bodyOffset = -1;
        private int bodyData;
        /** The checksum of the file's bytes before {@code checksummed}. */
        private final CRC32C crc = new CRC32C();

        private long checksummed;
        private int failures;
        private int restarts;
        private long backoffNanos;
        private @Nullable String lastProblem;

        private volatile long acknowledged;
        private volatile long sent;
        private volatile long total = -1;

        Transfer(String peerId, Path file, long snapshotIndex, long snapshotGeneration, long leaderGeneration) {
            this.peerId = peerId;
            this.file = file;
            this.snapshotIndex = snapshotIndex;
            this.snapshotGeneration = snapshotGeneration;
            this.leaderGeneration = leaderGeneration;
            // A caller that cancels the future stops the transfer: it leaves the table at once,
            // and its next step only releases the file.
            result.whenComplete((done, failure) -> transfers.remove(peerId, this));
        }

        SnapshotTransferProgress progress() {
            return new SnapshotTransferProgress(peerId, snapshotIndex, snapshotGeneration, acknowledged, sent, total);
        }

        void cancel(String why) {
            result.completeExceptionally(new CancellationException("snapshot transfer at index " + snapshotIndex
                    + " to " + peerId + " stopped at offset " + acknowledged + ": " + why));
        }

        /** Runs {@code work} on the executor; a finished transfer only releases its file there. */
        void step(Step work) {
            try {
                executor.execute(() -> {
                    if (result.isDone()) {
                        release();
                        return;
                    }
                    try {
                        work.run();
                    } catch (IOException | RuntimeException failure) {
                        fail("it failed reading " + file + ": " + failure, failure);
                    }
                });
            } catch (RejectedExecutionException stopped) {
                fail("the sender's executor stopped", stopped);
            }
        }

        /** Opens the file and asks the receiver where it is, with an empty chunk at offset 0. */
        void open() throws IOException {
            FileLayer.FileHandle opened = files.open(file, false);
            handle = opened;
            total = opened.size();
            snapshot = new SnapshotId(leaderGeneration, snapshotIndex, snapshotGeneration, total);
            // Of an empty file the probe is also the last chunk; CRC32C of nothing is 0.
            body = SnapshotTransferProtocol.sealChunk(
                    SnapshotTransferProtocol.openChunk(snapshot, 0, total == 0, 0), 0);
            bodyOffset = 0;
            bodyData = 0;
            call();
        }

        void call() {
            long at = bodyOffset;
            int data = bodyData;
            sent += data;
            transport
                    .call(peerId, SnapshotTransferProtocol.INSTALL_SNAPSHOT, body, settings.callTimeout())
                    .whenComplete((answer, error) -> step(() -> answered(at, data, answer, error)));
        }

        void answered(long at, int data, byte @Nullable [] bytes, @Nullable Throwable error) throws IOException {
            if (error != null || bytes == null) {
                retry(
                        "call at offset " + at + " failed: "
                                + PeerCalls.unwrap(error == null ? new IllegalStateException("no answer") : error),
                        error);
                return;
            }
            Answer answer;
            try {
                answer = SnapshotTransferProtocol.decodeAnswer(bytes);
            } catch (IllegalArgumentException malformed) {
                fail("its answer could not be read: " + malformed.getMessage(), malformed);
                return;
            }
            if (answer instanceof Answer.Continue next) {
                long offset = next.nextOffset();
                if (offset < 0 || offset > total) {
                    fail("it asked for offset " + offset + " of a " + total + "-byte file", null);
                    return;
                }
                acknowledged = offset;
                if (data > 0 && offset <= at) {
                    // Nothing of the chunk was taken (the receiver restarted, or lost its part file).
                    if (++failures > settings.maxAttempts()) {
                        fail("it accepted no data " + failures + " times in a row", null);
                        return;
                    }
                } else {
                    failures = 0;
                    backoffNanos = 0;
                }
                sendChunk(offset);
            } else if (answer instanceof Answer.Complete complete) {
                if (complete.length() != total) {
                    fail("it confirmed " + complete.length() + " bytes of a " + total + "-byte file", null);
                    return;
                }
                acknowledged = total;
                release(); // first, so a caller woken by the result no longer sees it in progress
                result.complete(progress());
            } else if (answer instanceof Answer.Restart restart) {
                if (++restarts > settings.maxRestarts()) {
                    fail("it arrived damaged " + restarts + " times, last: " + restart.reason(), null);
                    return;
                }
                log.warn(
                        "Snapshot transfer to {} restarts from 0 ({} of {}): {}",
                        peerId,
                        restarts,
                        settings.maxRestarts(),
                        restart.reason());
                acknowledged = 0;
                sendChunk(0);
            } else if (answer instanceof Answer.Refused refused) {
                fail("the peer refused it: " + refused.reason(), null);
            } else {
                retry("the peer could not take it: " + ((Answer.Unavailable) answer).reason(), null);
            }
        }

        /** Reads the chunk at {@code offset} into a new body (the checksum first catches up) and sends it. */
        void sendChunk(long offset) throws IOException {
            SnapshotId id = requireNonNull(snapshot);
            FileLayer.FileHandle file = requireNonNull(handle);
            int length = (int) Math.min(chunkBytes, total - offset);
            boolean last = offset + length == total;
            ByteBuffer chunk = SnapshotTransferProtocol.openChunk(id, offset, last, length);
            int dataStart = chunk.position();
            if (offset < checksummed) {
                crc.reset(); // sent again from an earlier offset (a restart): fold from 0
                checksummed = 0;
            }
            if (checksummed < offset) {
                // Resuming past bytes never read here: they count in the checksum all the same.
                foldUpTo(
                        file,
                        offset,
                        length >= MIN_SCRATCH_BYTES ? chunk.duplicate() : ByteBuffer.allocate(MIN_SCRATCH_BYTES));
            }
            readFully(file, chunk, offset);
            crc.update(chunk.array(), dataStart, length);
            checksummed = offset + length;
            body = SnapshotTransferProtocol.sealChunk(chunk, last ? (int) crc.getValue() : 0);
            bodyOffset = offset;
            bodyData = length;
            call();
        }

        /** Adds the file's bytes from {@code checksummed} to {@code offset} to the checksum, read through {@code scratch} from its position on. */
        private void foldUpTo(FileLayer.FileHandle file, long offset, ByteBuffer scratch) throws IOException {
            int start = scratch.position();
            while (checksummed < offset) {
                int n = (int) Math.min(scratch.capacity() - start, offset - checksummed);
                scratch.limit(start + n).position(start);
                readFully(file, scratch, checksummed);
                crc.update(scratch.array(), start, n);
                checksummed += n;
            }
        }

        void retry(String problem, @Nullable Throwable cause) {
            lastProblem = problem;
            if (++failures > settings.maxAttempts()) {
                fail("it failed " + failures + " times in a row, last: " + problem, cause);
                return;
            }
            backoffNanos = backoffNanos == 0
                    ? settings.initialBackoff().toNanos()
                    : Math.min(backoffNanos * 2, settings.maxBackoff().toNanos());
            log.debug("Snapshot transfer to {} retries in {} ms: {}", peerId, backoffNanos / 1_000_000, problem);
            Executor later = CompletableFuture.delayedExecutor(backoffNanos, TimeUnit.NANOSECONDS, Runnable::run);
            later.execute(() -> step(this::call));
        }

        void fail(String why, @Nullable Throwable cause) {
            String message = "snapshot transfer at index " + snapshotIndex + " (generation " + snapshotGeneration
                    + ") to " + peerId + " gave up at offset " + acknowledged + " of " + total + " bytes: " + why;
            release();
            if (result.completeExceptionally(new SnapshotTransferException(peerId, acknowledged, message, cause))) {
                log.warn(
                        message + (lastProblem == null || why.contains(lastProblem) ? "" : "; before: " + lastProblem));
            }
        }

        void release() {
            transfers.remove(peerId, this);
            FileLayer.FileHandle opened = handle;
            handle = null;
            if (opened != null) {
                try {
                    opened.close();
                } catch (IOException failure) {
                    log.debug("Closing {} failed", file, failure);
                }
            }
        }
    }

    /** Reads until {@code into} is full; a file shorter than when the transfer began is an error. */
    private static void readFully(FileLayer.FileHandle file, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int read = file.read(into, at);
            if (read < 0) {
                throw new IOException("the snapshot file ended at " + at + ", before the length it had when the"
                        + " transfer began (it must not change while it is sent)");
            }
            at += read;
        }
    }

    private static <T> T requireNonNull(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("the transfer's file is not open");
        }
        return value;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }
}
