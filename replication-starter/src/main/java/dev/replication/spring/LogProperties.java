package dev.replication.spring;

import dev.replication.log.FsyncPolicy;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** The write-ahead log on this node's disk (Segmented Log, group commit). */
public class LogProperties {

    /**
     * Size at which the write-ahead log starts a new segment file. Compaction below a checkpoint
     * deletes whole segments: 16MB holds about 65,000 small entries, so a checkpoint every
     * 100,000 entries frees at least one. Larger means fewer files; smaller frees space in finer steps.
     */
    private DataSize segmentSize = DataSize.ofMegabytes(16);

    /**
     * When log appends are fsync'd: always (before any acknowledgement; the safe default) or
     * interval (at most every fsync-interval, for more throughput on slow disks). Unsafe:
     * with interval, a crash or power loss of a majority at once can lose acknowledged
     * writes.
     */
    private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;

    /**
     * With fsync-policy interval: the longest time between fsyncs, and so the window of
     * acknowledged writes a simultaneous crash of a majority can lose. Ignored with always.
     */
    private Duration fsyncInterval = Duration.ofMillis(10);

    /**
     * A log write and fsync in progress for longer than this marks the disk stalled: readiness
     * goes DOWN with the duration. Shorter reports slow disks sooner; keep it above the disk's
     * normal worst case.
     */
    private Duration stallThreshold = Duration.ofSeconds(5);

    /**
     * While the disk is full, how often the log retries the write that found it full (nothing
     * is acknowledged meanwhile). Shorter resumes sooner once space is freed.
     */
    private Duration diskFullRetryInterval = Duration.ofSeconds(1);

    public Duration getStallThreshold() {
        return stallThreshold;
    }

    public void setStallThreshold(Duration stallThreshold) {
        this.stallThreshold = stallThreshold;
    }

    public Duration getDiskFullRetryInterval() {
        return diskFullRetryInterval;
    }

    public void setDiskFullRetryInterval(Duration diskFullRetryInterval) {
        this.diskFullRetryInterval = diskFullRetryInterval;
    }

    public DataSize getSegmentSize() {
        return segmentSize;
    }

    public void setSegmentSize(DataSize segmentSize) {
        this.segmentSize = segmentSize;
    }

    public FsyncPolicy getFsyncPolicy() {
        return fsyncPolicy;
    }

    public void setFsyncPolicy(FsyncPolicy fsyncPolicy) {
        this.fsyncPolicy = fsyncPolicy;
    }

    public Duration getFsyncInterval() {
        return fsyncInterval;
    }

    public void setFsyncInterval(Duration fsyncInterval) {
        this.fsyncInterval = fsyncInterval;
    }
}
