package dev.replication.testsupport.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Sound reductions of one key's sub-history, applied before the search: each removes operations
 * that cannot change the verdict, and which would otherwise multiply the states the search
 * explores. Both are repeated until neither removes anything, since each can enable the other.
 *
 * <ul>
 *   <li>An operation with unknown outcome that no later operation could observe ({@link
 *       ValueObservers}): it moves the register to a value S, and the operation right after it
 *       in any linearization completes after its invocation. If none of those reads S, expects S
 *       in a compare-and-set, or is a failed compare-and-set that S would explain, the next
 *       operation is a blind write or delete that overwrites S, so "it never took effect"
 *       changes no result.
 *   <li>A failed compare-and-set whose expected value E the register certainly did not hold
 *       during its interval: it then fits at any point of its interval, constrains nothing, and
 *       changes nothing. "Certainly" means: every operation that may set E either was invoked
 *       after the compare-and-set completed, or completed before it began and was followed by a
 *       known-outcome change invoked after that and completed before the compare-and-set began.
 *       (The last setter of E before any point would otherwise be overwritten in between.)
 * </ul>
 */
final class HistoryReduction {

    private HistoryReduction() {}

    static List<OperationRecord> reduce(List<OperationRecord> operations) {
        List<OperationRecord> kept = operations;
        while (true) {
            List<OperationRecord> next = withoutUnobservableUnknowns(withoutUnfalsifiableFailedCompareAndSets(kept));
            if (next.size() == kept.size()) {
                return kept;
            }
            kept = next;
        }
    }

    private static List<OperationRecord> withoutUnobservableUnknowns(List<OperationRecord> operations) {
        ValueObservers observers = new ValueObservers(operations);
        List<OperationRecord> kept = new ArrayList<>(operations.size());
        for (OperationRecord record : operations) {
            if (record.outcome() != Outcome.UNKNOWN
                    || observers.observableFrom(valueSetBy(record.operation()), record.invokedAt())) {
                kept.add(record);
            }
        }
        return kept;
    }

    private static List<OperationRecord> withoutUnfalsifiableFailedCompareAndSets(List<OperationRecord> operations) {
        Map<String, List<OperationRecord>> settersByValue = new HashMap<>();
        List<OperationRecord> knownChanges = new ArrayList<>();
        for (OperationRecord record : operations) {
            if (maySet(record)) {
                settersByValue
                        .computeIfAbsent(valueSetBy(record.operation()), v -> new ArrayList<>())
                        .add(record);
                if (record.outcome() == Outcome.OK) {
                    knownChanges.add(record);
                }
            }
        }
        Overwrites overwrites = new Overwrites(knownChanges);
        List<OperationRecord> kept = new ArrayList<>(operations.size());
        for (OperationRecord record : operations) {
            if (!isFailedCompareAndSet(record)
                    || mayHold(
                            ((Operation.CompareAndSet) record.operation()).expected(),
                            record,
                            settersByValue,
                            overwrites)) {
                kept.add(record);
            }
        }
        return kept;
    }

    /** Whether the register may hold {@code value} at some point of {@code during}'s interval. */
    private static boolean mayHold(
            @Nullable String value,
            OperationRecord during,
            Map<String, List<OperationRecord>> settersByValue,
            Overwrites overwrites) {
        if (value == null && overwrites.earliestCompletionOfChangeInvokedAfter(Long.MIN_VALUE) >= during.invokedAt()) {
            return true; // the key may still be absent as it was at the start
        }
        for (OperationRecord setter : settersByValue.getOrDefault(value, List.of())) {
            if (setter.invokedAt() > during.completedAt()) {
                continue;
            }
            if (setter.outcome() != Outcome.OK
                    || setter.completedAt() >= during.invokedAt()
                    || overwrites.earliestCompletionOfChangeInvokedAfter(setter.completedAt()) >= during.invokedAt()) {
                return true;
            }
        }
        return false;
    }

    private static boolean maySet(OperationRecord record) {
        Operation operation = record.operation();
        if (operation instanceof Operation.Write || operation instanceof Operation.Delete) {
            return true;
        }
        return operation instanceof Operation.CompareAndSet && !isFailedCompareAndSet(record);
    }

    private static boolean isFailedCompareAndSet(OperationRecord record) {
        return record.operation() instanceof Operation.CompareAndSet
                && record.outcome() == Outcome.OK
                && Boolean.FALSE.equals(record.result());
    }

    static @Nullable String valueSetBy(Operation operation) {
        if (operation instanceof Operation.Write write) {
            return write.value();
        }
        if (operation instanceof Operation.CompareAndSet cas) {
            return cas.value();
        }
        return null;
    }

    /** Known-outcome changes of the register, to ask when the first one invoked after a time completed. */
    private static final class Overwrites {
        private final long[] invokedAt;
        /** Earliest completion among changes from this index on (sorted by invocation). */
        private final long[] earliestCompletionFrom;

        Overwrites(List<OperationRecord> changes) {
            List<OperationRecord> sorted = new ArrayList<>(changes);
            sorted.sort(Comparator.comparingLong(OperationRecord::invokedAt));
            invokedAt = new long[sorted.size()];
            earliestCompletionFrom = new long[sorted.size() + 1];
            earliestCompletionFrom[sorted.size()] = Long.MAX_VALUE;
            for (int i = sorted.size() - 1; i >= 0; i--) {
                invokedAt[i] = sorted.get(i).invokedAt();
                earliestCompletionFrom[i] =
                        Math.min(earliestCompletionFrom[i + 1], sorted.get(i).completedAt());
            }
        }

        long earliestCompletionOfChangeInvokedAfter(long time) {
            int index = Arrays.binarySearch(invokedAt, time);
            if (index < 0) {
                index = -index - 1;
            } else {
                while (index < invokedAt.length && invokedAt[index] <= time) {
                    index++;
                }
            }
            return earliestCompletionFrom[index];
        }
    }
}
