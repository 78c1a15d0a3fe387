package dev.replication.testsupport.history;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * For one key's operations, until when some operation could observe the register holding a
 * given value: a read that returned it, a compare-and-set (succeeded or unknown) that expected
 * it, or a failed compare-and-set that expected anything else. Blind writes and deletes observe
 * nothing. Built in one pass, so each question costs a map lookup.
 */
final class ValueObservers {

    /** Latest completion of a read returning the value, or of a setting compare-and-set expecting it. */
    private final Map<String, Long> latestMatching = new HashMap<>();
    /** Latest completion of a failed compare-and-set, by the value it expected. */
    private final Map<String, Long> latestFailedByExpected = new HashMap<>();

    private @Nullable String latestFailedExpected;
    private long latestFailed = Long.MIN_VALUE;
    private long latestFailedOtherwise = Long.MIN_VALUE;

    ValueObservers(List<OperationRecord> operations) {
        for (OperationRecord record : operations) {
            Operation operation = record.operation();
            if (operation instanceof Operation.Read) {
                latestMatching.merge((String) record.result(), record.completedAt(), Math::max);
            } else if (operation instanceof Operation.CompareAndSet cas) {
                boolean failed = record.outcome() == Outcome.OK && Boolean.FALSE.equals(record.result());
                (failed ? latestFailedByExpected : latestMatching)
                        .merge(cas.expected(), record.completedAt(), Math::max);
            }
        }
        // The two latest failed compare-and-sets with different expectations: whatever a value
        // is, at least one of them expected something else.
        for (Map.Entry<String, Long> entry : latestFailedByExpected.entrySet()) {
            long time = entry.getValue();
            if (time > latestFailed) {
                latestFailedOtherwise = latestFailed;
                latestFailed = time;
                latestFailedExpected = entry.getKey();
            } else if (time > latestFailedOtherwise) {
                latestFailedOtherwise = time;
            }
        }
    }

    /** Whether an operation completing at or after {@code from} could observe the register holding {@code value}. */
    boolean observableFrom(@Nullable String value, long from) {
        if (latestMatching.getOrDefault(value, Long.MIN_VALUE) >= from) {
            return true;
        }
        if (latestFailedByExpected.isEmpty()) {
            return false;
        }
        long latestFailedExpectingOther =
                Objects.equals(latestFailedExpected, value) ? latestFailedOtherwise : latestFailed;
        return latestFailedExpectingOther >= from;
    }
}
