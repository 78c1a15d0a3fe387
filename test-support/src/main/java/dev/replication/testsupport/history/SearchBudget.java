package dev.replication.testsupport.history;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work the linearizability search may spend on one key before it gives up. The search
 * is exponential in the number of operations that overlap in time on one key, so a history with
 * too much concurrency per key can take arbitrarily long; past this budget the checker reports an
 * inconclusive verdict (never "linearizable") instead of hanging.
 *
 * @param timePerKey wall-clock time one key's search may take
 * @param maxStatesPerKey distinct search states (set of placed operations, register value) one
 *     key's search may remember; bounds memory as well as time, about 100-200 bytes each for a
 *     few hundred operations per key
 */
public record SearchBudget(Duration timePerKey, long maxStatesPerKey) {

    /** Ten seconds and half a million states per key: far above what a healthy test history needs. */
    public static final SearchBudget DEFAULT = new SearchBudget(Duration.ofSeconds(10), 500_000);

    public SearchBudget {
        Objects.requireNonNull(timePerKey, "timePerKey must not be null; use SearchBudget.DEFAULT");
        if (timePerKey.isNegative() || timePerKey.isZero()) {
            throw new IllegalArgumentException(
                    "timePerKey must be positive, was " + timePerKey + "; use SearchBudget.DEFAULT");
        }
        if (maxStatesPerKey < 1) {
            throw new IllegalArgumentException(
                    "maxStatesPerKey must be at least 1, was " + maxStatesPerKey + "; use SearchBudget.DEFAULT");
        }
    }
}
