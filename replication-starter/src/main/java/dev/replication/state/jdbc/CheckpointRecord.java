package dev.replication.state.jdbc;

import dev.replication.state.CheckpointHeader;
import dev.replication.state.IdempotencyLimits;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * The one header row of the checkpoint, a Spring Data JDBC aggregate: the {@link CheckpointHeader}
 * plus the store's own counter for the order of idempotency answers.
 *
 * @param nextAnswerOrder the order the next idempotency answer added gets: answers are only ever
 *     added after all others, so numbering them in the order a delta lists them keeps the machine's
 *     order across checkpoints
 */
@Table("CHECKPOINT_HEADER")
record CheckpointRecord(
        @Id int id,
        long appliedIndex,
        long appliedGeneration,
        long lastTimestamp,
        @Nullable Long retentionMillis,
        @Nullable Integer maxIdempotencyKeys,
        @Nullable Long maxSessionBytes,
        long evictedIdempotencyKeys,
        @Nullable Long configurationIndex,
        byte @Nullable [] configuration,
        long nextAnswerOrder) {

    /** The id of the only row. */
    static final int ID = 1;

    static CheckpointRecord of(CheckpointHeader header, long nextAnswerOrder) {
        IdempotencyLimits limits = header.limitsInEffect();
        CheckpointHeader.Configuration configuration = header.configuration();
        return new CheckpointRecord(
                ID,
                header.appliedIndex(),
                header.appliedGeneration(),
                header.lastTimestamp(),
                limits == null ? null : limits.retention().toMillis(),
                limits == null ? null : limits.maxIdempotencyKeys(),
                limits == null ? null : limits.maxSessionBytes(),
                header.evictedIdempotencyKeys(),
                configuration == null ? null : configuration.index(),
                configuration == null ? null : configuration.payload(),
                nextAnswerOrder);
    }

    CheckpointHeader header() {
        IdempotencyLimits limits = null;
        if (retentionMillis != null && maxIdempotencyKeys != null && maxSessionBytes != null) {
            limits = new IdempotencyLimits(Duration.ofMillis(retentionMillis), maxIdempotencyKeys, maxSessionBytes);
        }
        CheckpointHeader.Configuration config = null;
        if (configurationIndex != null && configuration != null) {
            config = new CheckpointHeader.Configuration(configurationIndex, configuration);
        }
        return new CheckpointHeader(
                appliedIndex, appliedGeneration, lastTimestamp, limits, evictedIdempotencyKeys, config);
    }
}
