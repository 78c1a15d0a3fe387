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
 */
public record LogOptions(long segmentBytes, int maxRecordBytes, FsyncPolicy fsyncPolicy, Duration fsyncInterval) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(100);

    public LogOptions {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        if (maxRecordBytes <= RecordFormat.OVERHEAD) {
            throw new IllegalArgumentException("maxRecordBytes must be greater than the "
                    + RecordFormat.OVERHEAD + " bytes of record framing, was " + maxRecordBytes);
        }
        // Segment offsets are kept as ints: a segment must stay below 2 GiB.
        if (segmentBytes < SegmentHeader.SIZE + 1 || segmentBytes > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("segmentBytes must be between " + (SegmentHeader.SIZE + 1)
                    + " and " + Integer.MAX_VALUE / 2 + ", was " + segmentBytes);
        }
        if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("fsyncInterval must be positive, was " + fsyncInterval);
        }
    }

    /** 64 MiB segments, 8 MiB records, {@link FsyncPolicy#ALWAYS}. */
    public static LogOptions defaults() {
        return new LogOptions(DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_RECORD_BYTES, FsyncPolicy.ALWAYS, DEFAULT_FSYNC_INTERVAL);
    }

    public LogOptions withSegmentBytes(long bytes) {
        return new LogOptions(bytes, maxRecordBytes, fsyncPolicy, fsyncInterval);
    }

    public LogOptions withMaxRecordBytes(int bytes) {
        return new LogOptions(segmentBytes, bytes, fsyncPolicy, fsyncInterval);
    }

    /** Opts in to {@link FsyncPolicy#INTERVAL}: read its risk first. */
    public LogOptions withIntervalFsync(Duration interval) {
        return new LogOptions(segmentBytes, maxRecordBytes, FsyncPolicy.INTERVAL, interval);
    }
}
