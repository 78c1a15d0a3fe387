package dev.replication.state;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The scalar part of a checkpoint: where in the log it stands and what applying the next entry
 * depends on besides the maps and sessions.
 *
 * @param appliedIndex the last entry the checkpoint covers
 * @param appliedGeneration the generation of that entry: the core's snapshot base after a restart
 *     (0 when unknown, which a checkpoint taken right after restoring a generation-less snapshot has)
 * @param lastTimestamp log time: the greatest hybrid timestamp applied
 * @param limitsInEffect the idempotency limits of the last applied command; null before the first
 * @param evictedIdempotencyKeys how many idempotency keys were forgotten early because of the bound
 * @param configuration the last applied configuration entry; null before the first
 */
public record CheckpointHeader(
        long appliedIndex,
        long appliedGeneration,
        long lastTimestamp,
        @Nullable IdempotencyLimits limitsInEffect,
        long evictedIdempotencyKeys,
        @Nullable Configuration configuration) {

    public CheckpointHeader {
        if (appliedIndex < 0 || appliedGeneration < 0) {
            throw new IllegalArgumentException("a checkpoint's applied index and generation are >= 0, were "
                    + appliedIndex + " and " + appliedGeneration);
        }
    }

    /**
     * The cluster configuration a checkpoint carries: the payload of the last applied
     * CONFIGURATION entry, opaque here (the core owns its format).
     */
    public record Configuration(long index, byte[] payload) {

        public Configuration {
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Configuration that && index == that.index && Arrays.equals(payload, that.payload);
        }

        @Override
        public int hashCode() {
            return 31 * Long.hashCode(index) + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Configuration[" + index + ", " + payload.length + "B]";
        }
    }
}
