package dev.replication.testsupport.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties over histories recorded from a real sequential register driven by random
 * interleavings of concurrent clients ({@link ConcurrentRegisterRun}): such histories are
 * linearizable by construction, and stop being so when one read result is replaced by a value
 * that read could not have seen; and setting aside operations that cannot affect the verdict
 * ({@link HistoryReduction}) never changes it.
 */
class LinearizabilityCheckerPropertyTest {

    private static final int CLIENTS = 4;
    private static final int KEYS = 2;

    @Property(tries = 300)
    void historiesOfARealRegisterAreAccepted(
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 1_000_000) Integer> choices) {
        List<OperationRecord> history =
                ConcurrentRegisterRun.run(ConcurrentRegisterRun.Choices.of(choices), CLIENTS, KEYS, Integer.MAX_VALUE);

        CheckResult result = LinearizabilityChecker.check(history);

        assertThat(result.linearizable()).as(result.explanation()).isTrue();
    }

    @Property(tries = 300)
    void aReadResultThatCouldNotHaveBeenSeenIsRejected(
            @ForAll @Size(min = 20, max = 400) List<@IntRange(min = 0, max = 1_000_000) Integer> choices,
            @ForAll @IntRange(min = 0, max = 1_000_000) int pick) {
        List<OperationRecord> history =
                ConcurrentRegisterRun.run(ConcurrentRegisterRun.Choices.of(choices), CLIENTS, KEYS, Integer.MAX_VALUE);
        List<Corruption> corruptions = impossibleReadResults(history);
        Assume.that(!corruptions.isEmpty());
        Corruption corruption = corruptions.get(pick % corruptions.size());

        CheckResult result = LinearizabilityChecker.check(corruption.applyTo(history));

        assertThat(result.linearizable())
                .as("%s should be rejected", corruption)
                .isFalse();
        assertThat(result.explanation()).contains("not linearizable");
    }

    @Property(tries = 300)
    void settingAsideOperationsNeverChangesTheVerdict(
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 1_000_000) Integer> choices,
            @ForAll @Size(max = 3) List<@IntRange(min = 0, max = 1_000_000) Integer> flips) {
        List<OperationRecord> history = new ArrayList<>(
                ConcurrentRegisterRun.run(ConcurrentRegisterRun.Choices.of(choices), CLIENTS, 1, Integer.MAX_VALUE));
        for (int flip : flips) {
            flipResult(history, flip);
        }
        List<OperationRecord> searched = new ArrayList<>();
        for (OperationRecord record : history) {
            boolean unknownRead = record.outcome() == Outcome.UNKNOWN && record.operation() instanceof Operation.Read;
            if (record.outcome() != Outcome.FAILED && !unknownRead) {
                searched.add(record);
            }
        }

        KeyVerdict whole = new RegisterSearch("k0", searched, SearchBudget.DEFAULT).run();
        KeyVerdict reduced = new RegisterSearch("k0", HistoryReduction.reduce(searched), SearchBudget.DEFAULT).run();

        assertThat(reduced.kind()).as(whole.explanation()).isEqualTo(whole.kind());
    }

    /** Negates a compare-and-set result, or makes a read return another value: may or may not break linearizability. */
    private static void flipResult(List<OperationRecord> history, int pick) {
        if (history.isEmpty()) {
            return;
        }
        int index = pick % history.size();
        OperationRecord record = history.get(index);
        Object result;
        if (record.outcome() != Outcome.OK) {
            return;
        } else if (record.operation() instanceof Operation.CompareAndSet) {
            result = !Boolean.TRUE.equals(record.result());
        } else if (record.operation() instanceof Operation.Read) {
            result = pick % 3 == 0 ? null : "v" + (1 + pick % (history.size() + 1));
        } else {
            return;
        }
        history.set(
                index,
                new OperationRecord(
                        record.id(),
                        record.client(),
                        record.operation(),
                        record.invokedAt(),
                        record.completedAt(),
                        record.outcome(),
                        result));
    }

    /** A read whose result is replaced by a value it could not have seen, and why not. */
    record Corruption(int index, String impossibleValue, String reason) {

        List<OperationRecord> applyTo(List<OperationRecord> history) {
            List<OperationRecord> corrupted = new ArrayList<>(history);
            OperationRecord read = history.get(index);
            corrupted.set(
                    index,
                    new OperationRecord(
                            read.id(),
                            read.client(),
                            read.operation(),
                            read.invokedAt(),
                            read.completedAt(),
                            read.outcome(),
                            impossibleValue));
            return corrupted;
        }
    }

    /**
     * For every completed read, the values it certainly could not have returned. Each value is
     * written by one operation only, so a value is impossible for a read when its writer never
     * took effect, was invoked after the read completed, wrote another key, or was certainly
     * overwritten before the read was invoked.
     */
    private static List<Corruption> impossibleReadResults(List<OperationRecord> history) {
        List<Corruption> corruptions = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            OperationRecord read = history.get(i);
            if (!(read.operation() instanceof Operation.Read) || read.outcome() != Outcome.OK) {
                continue;
            }
            String key = read.operation().key();
            corruptions.add(new Corruption(i, "never-written", "no operation wrote it"));
            for (OperationRecord writer : history) {
                String value = valueWritten(writer);
                if (value == null) {
                    continue;
                }
                if (!writer.operation().key().equals(key)) {
                    corruptions.add(new Corruption(i, value, "written to another key by #" + writer.id()));
                } else if (!mayHaveTakenEffect(writer)) {
                    corruptions.add(new Corruption(i, value, "#" + writer.id() + " never took effect"));
                } else if (writer.invokedAt() > read.completedAt()) {
                    corruptions.add(
                            new Corruption(i, value, "#" + writer.id() + " was invoked after the read completed"));
                } else if (certainlyOverwrittenBefore(writer, read, history)) {
                    corruptions.add(new Corruption(i, value, "#" + writer.id() + " was overwritten before the read"));
                }
            }
        }
        return corruptions;
    }

    private static String valueWritten(OperationRecord record) {
        if (record.operation() instanceof Operation.Write write) {
            return write.value();
        }
        if (record.operation() instanceof Operation.CompareAndSet cas) {
            return cas.value();
        }
        return null;
    }

    private static boolean mayHaveTakenEffect(OperationRecord writer) {
        if (writer.outcome() == Outcome.FAILED) {
            return false;
        }
        return !(writer.outcome() == Outcome.OK
                && writer.operation() instanceof Operation.CompareAndSet
                && Boolean.FALSE.equals(writer.result()));
    }

    /** A definite change of the key began after {@code writer} completed and ended before {@code read} began. */
    private static boolean certainlyOverwrittenBefore(
            OperationRecord writer, OperationRecord read, List<OperationRecord> history) {
        if (writer.outcome() != Outcome.OK) {
            return false;
        }
        for (OperationRecord other : history) {
            boolean definiteChange = other.outcome() == Outcome.OK
                    && other.operation().key().equals(read.operation().key())
                    && (other.operation() instanceof Operation.Write
                            || other.operation() instanceof Operation.Delete
                            || (other.operation() instanceof Operation.CompareAndSet
                                    && Boolean.TRUE.equals(other.result())));
            if (definiteChange && other.invokedAt() > writer.completedAt() && other.completedAt() < read.invokedAt()) {
                return true;
            }
        }
        return false;
    }
}
