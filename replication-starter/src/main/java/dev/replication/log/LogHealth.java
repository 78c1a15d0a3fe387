package dev.replication.log;

import org.jspecify.annotations.Nullable;

/**
 * What the log's storage is doing, readable from any thread without waiting for the writer.
 *
 * @param diskFull null while appends go through; otherwise why they wait (the disk holding
 *     the log has no space): nothing waiting is acknowledged, and the writer retries
 *     every {@link LogOptions#diskFullRetryInterval()} until space returns
 * @param persistInProgressMillis how long the batch being written and forced has taken so far
 *     (0 when the writer is idle)
 * @param lastPersistMillis how long the last completed batch took to write and force
 * @param stallThresholdMillis from {@link LogOptions#stallThreshold()}
 */
public record LogHealth(
        @Nullable String diskFull, long persistInProgressMillis, long lastPersistMillis, long stallThresholdMillis) {

    /** True when a persist has been in progress for longer than the stall threshold. */
    public boolean stalled() {
        return persistInProgressMillis > stallThresholdMillis;
    }

    /** True when appends go through and no persist is stalled. */
    public boolean healthy() {
        return diskFull == null && !stalled();
    }
}
