package dev.replication.map;

import dev.replication.api.UpdateContentionException;
import dev.replication.api.Versioned;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The atomic read-modify-write behind {@code compute}, {@code merge}, {@code replace} and friends:
 * read the key's versioned value, decide, write conditionally on that version, and on a conflict
 * decide again on the value the conflict reports, after a randomized back-off, up to a number of
 * attempts; then give up with {@link UpdateContentionException}, having written nothing.
 *
 * <p>A decision to change nothing is confirmed on an up-to-date read before it is answered, so it
 * is never made on a stale local copy; a conflict's value is already up to date (it is the value
 * at that point of the log). Confirmations do not count as attempts.
 */
final class CompareAndSetLoop {

    /** The key one update works on; the map implements it over the gateway and the local state. */
    interface VersionedKey<V> {

        /** The key's value on this node now, possibly stale; null when absent. */
        @Nullable
        Versioned<V> readLocal();

        /** The key's value once this node has caught up with the leader (a linearizable read). */
        @Nullable
        Versioned<V> readUpToDate();

        /** Writes {@code newValue} (null: deletes) if the key is still at {@code expectedVersion} (0: absent). */
        WriteAttempt<V> writeIfVersion(@Nullable V newValue, long expectedVersion);
    }

    /** How a conditional write ended: applied, or refused with the value current at that point of the log. */
    record WriteAttempt<V>(boolean written, @Nullable Versioned<V> current) {
        static <V> WriteAttempt<V> applied() {
            return new WriteAttempt<>(true, null);
        }

        static <V> WriteAttempt<V> conflict(@Nullable Versioned<V> current) {
            return new WriteAttempt<>(false, current);
        }
    }

    /**
     * What an update decided from the current value: keep the state and answer {@code result},
     * or write {@code newValue} (null: delete) and then answer {@code result} (which may be null,
     * as a map's {@code compute} answers null for an absent key).
     */
    record Step<V, R>(
            boolean write, @Nullable V newValue, @Nullable R result) {
        static <V, R> Step<V, R> keep(@Nullable R result) {
            return new Step<>(false, null, result);
        }

        static <V, R> Step<V, R> write(@Nullable V newValue, @Nullable R result) {
            return new Step<>(true, newValue, result);
        }
    }

    private final String mapName;
    private final int maxAttempts;
    private final IntConsumer backOff;

    /** With the randomized exponential back-off of {@link #randomizedBackOff(int)}. */
    CompareAndSetLoop(String mapName, int maxAttempts) {
        this(mapName, maxAttempts, CompareAndSetLoop::randomizedBackOff);
    }

    /** @param backOff pauses before the next attempt, given the number of the attempt that lost */
    CompareAndSetLoop(String mapName, int maxAttempts, IntConsumer backOff) {
        this.mapName = mapName;
        this.maxAttempts = maxAttempts;
        this.backOff = backOff;
    }

    /**
     * Runs {@code decide} on the key's current value until its decision is written or needs no
     * write.
     *
     * @param key the key, for the error message
     * @return the answer of the decision that ended the loop (null when it answered null)
     * @throws UpdateContentionException when every attempt lost to a concurrent write
     */
    <V, R> @Nullable R update(Object key, VersionedKey<V> target, Function<Versioned<V>, Step<V, R>> decide) {
        @Nullable Versioned<V> current = target.readLocal();
        boolean confirmed = false;
        for (int attempt = 1; attempt <= maxAttempts; ) {
            Step<V, R> step = decide.apply(current);
            boolean deletesAbsentKey = step.write() && step.newValue() == null && current == null;
            if (!step.write() || deletesAbsentKey) {
                if (confirmed) {
                    return step.result();
                }
                // Never answer "nothing to do" from a possibly stale local copy: catch up, then decide again.
                current = target.readUpToDate();
                confirmed = true;
                continue;
            }
            WriteAttempt<V> outcome = target.writeIfVersion(step.newValue(), current == null ? 0 : current.version());
            if (outcome.written()) {
                return step.result();
            }
            // The conflict carries the value current at that point of the log: decide again on it.
            current = outcome.current();
            confirmed = true;
            backOff.accept(attempt);
            attempt++;
        }
        throw new UpdateContentionException(
                "replicated map '" + mapName + "': key '"
                        + FailureTranslation.describe(key) + "' changed concurrently on each of " + maxAttempts
                        + " compare-and-set attempts; nothing was written by this call. Retry later, spread the writes over"
                        + " more keys, or raise the attempt limit",
                maxAttempts);
    }

    /**
     * Randomized exponential back-off between compare-and-set attempts (up to about 100 ms), so
     * writers contending for one key spread out instead of colliding in lock step. Writers on
     * the leader still win more often than writers whose attempts are forwarded, so under heavy
     * contention on one key a follower's call can run out of attempts: spread hot counters over
     * several keys.
     */
    static void randomizedBackOff(int attempt) {
        long ceilingMicros = Math.min(100_000L, 1_000L << Math.min(attempt, 10));
        LockSupport.parkNanos(
                TimeUnit.MICROSECONDS.toNanos(ThreadLocalRandom.current().nextLong(ceilingMicros)));
    }
}
