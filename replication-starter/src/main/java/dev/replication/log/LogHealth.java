package dev.replication.log;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What the log's storage is doing, readable from any thread without waiting for the writer.
 *
 * @param diskFull null while appends go through; otherwise why they wait (the disk holding
 *     the log has no space): nothing waiting is acknowledged, and the writer retries
 *     every {@link LogOptions#diskFullRetryInterval()} until space returns
 * @param persistInProgress how long the batch being written and forced has taken so far
 *     ({@link Duration#ZERO} when the writer is idle)
 * @param lastPersist how long the last completed batch took to write and force
 * @param stallThreshold from {@link LogOptions#stallThreshold()}
 */
public record LogHealth(@Nullable String diskFull, Duration persistInProgress, Duration lastPersist,
        Duration stallThreshold) {

    /** True when a persist has been in progress for longer than the stall threshold. */
    public boolean stalled() {
        return persistInProgress.compareTo(stallThreshold) > 0;
    }

    /** True when appends go through and no persist is stalled. */
    public boolean healthy() {
        return diskFull == null && !stalled();
    }
}
