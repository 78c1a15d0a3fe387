package dev.replication.log;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of a {@link SegmentedLog}.
 *
 * @param segmentBytes a segment rolls over once the next record would take it past this size;
 *     smaller segments let the Low-Water Mark free disk sooner, larger ones mean fewer files
 * @param maxRecordBytes the largest encoded record (payload plus {@value RecordFormat#OVERHEAD}
 *     bytes of framing) an append accepts; larger entries are refused before anything is written
 * @param fsyncPolicy {@link FsyncPolicy#ALWAYS} (default) or the opt-in {@link FsyncPolicy#INTERVAL}
 * @param fsyncInterval with {@link FsyncPolicy#INTERVAL}: the longest time written records stay
 *     unforced (and so the window of acknowledged records a power loss can take)
 * @param stallThreshold a persist (writing and forcing one batch) in progress for longer than
 *     this makes {@link LogHealth#stalled()} true: the disk is stalled
 * @param diskFullRetryInterval while the disk is full, how often the writer tries the waiting
 *     append again
 */
public record LogOptions(
        long segmentBytes,
        int maxRecordBytes,
        FsyncPolicy fsyncPolicy,
        Duration fsyncInterval,
        Duration stallThreshold,
        Duration diskFullRetryInterval) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_STALL_THRESHOLD = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DISK_FULL_RETRY_INTERVAL = Duration.ofSeconds(1);

    public LogOptions {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        Objects.requireNonNull(stallThreshold, "stallThreshold");
        Objects.requireNonNull(diskFullRetryInterval, "diskFullRetryInterval");
        if (maxRecordBytes <= RecordFormat.OVERHEAD) {
            throw new IllegalArgumentException("maxRecordBytes must be greater than the " + RecordFormat.OVERHEAD
                    + " bytes of record framing, was " + maxRecordBytes);
        }
        // Segment offsets are kept as ints: a segment must stay below 2 GiB.
        if (segmentBytes < SegmentHeader.SIZE + 1 || segmentBytes > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("segmentBytes must be between " + (SegmentHeader.SIZE + 1) + " and "
                    + Integer.MAX_VALUE / 2 + ", was " + segmentBytes);
        }
        if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("fsyncInterval must be positive, was " + fsyncInterval);
        }
        if (stallThreshold.isNegative() || stallThreshold.isZero()) {
            throw new IllegalArgumentException("stallThreshold must be positive, was " + stallThreshold);
        }
        if (diskFullRetryInterval.isNegative() || diskFullRetryInterval.isZero()) {
            throw new IllegalArgumentException("diskFullRetryInterval must be positive, was " + diskFullRetryInterval);
        }
    }

    /** The options with the default stall threshold and disk-full retry interval. */
    public LogOptions(long segmentBytes, int maxRecordBytes, FsyncPolicy fsyncPolicy, Duration fsyncInterval) {
        this(
                segmentBytes,
                maxRecordBytes,
                fsyncPolicy,
                fsyncInterval,
                DEFAULT_STALL_THRESHOLD,
                DEFAULT_DISK_FULL_RETRY_INTERVAL);
    }

    /** 64 MiB segments, 8 MiB records, {@link FsyncPolicy#ALWAYS}, 5 s stall threshold, 1 s disk-full retries. */
    public static LogOptions defaults() {
        return new LogOptions(
                DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_RECORD_BYTES, FsyncPolicy.ALWAYS, DEFAULT_FSYNC_INTERVAL);
    }

    /** The largest payload an append accepts: {@link #maxRecordBytes()} less the record framing. */
    public int maxPayloadBytes() {
        return maxRecordBytes - RecordFormat.OVERHEAD;
    }

    public LogOptions withSegmentBytes(long bytes) {
        return new LogOptions(bytes, maxRecordBytes, fsyncPolicy, fsyncInterval, stallThreshold, diskFullRetryInterval);
    }

    public LogOptions withMaxRecordBytes(int bytes) {
        return new LogOptions(segmentBytes, bytes, fsyncPolicy, fsyncInterval, stallThreshold, diskFullRetryInterval);
    }

    /** Opts in to {@link FsyncPolicy#INTERVAL}: read its risk first. */
    public LogOptions withIntervalFsync(Duration interval) {
        return new LogOptions(
                segmentBytes, maxRecordBytes, FsyncPolicy.INTERVAL, interval, stallThreshold, diskFullRetryInterval);
    }

    public LogOptions withStallThreshold(Duration threshold) {
        return new LogOptions(
                segmentBytes, maxRecordBytes, fsyncPolicy, fsyncInterval, threshold, diskFullRetryInterval);
    }

    public LogOptions withDiskFullRetryInterval(Duration interval) {
        return new LogOptions(segmentBytes, maxRecordBytes, fsyncPolicy, fsyncInterval, stallThreshold, interval);
    }
}
