package dev.replication.testsupport.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.testsupport.history.History.Pending;
import dev.replication.testsupport.history.Operation.CompareAndSet;
import dev.replication.testsupport.history.Operation.Delete;
import dev.replication.testsupport.history.Operation.Read;
import dev.replication.testsupport.history.Operation.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LinearizabilityCheckerTest {

    private final History history = new History();

    @Nested
    class SequentialHistories {

        @Test
        void aReadOfAKeyNeverWrittenSeesItAbsent() {
            read("a", null);

            assertLinearizable();
        }

        @Test
        void readsSeeTheLastCompletedWrite() {
            write("a", "1");
            read("b", "1");
            write("a", "2");
            read("b", "2");

            assertLinearizable();
        }

        @Test
        void aStaleReadAfterACompletedWriteIsRejected() {
            write("a", "1");
            write("a", "2");
            read("b", "1");

            assertNotLinearizable();
        }

        @Test
        void anAcknowledgedWriteThatIsLaterMissingIsRejected() {
            write("a", "1");
            read("b", null);

            assertNotLinearizable();
        }

        @Test
        void aReadOfAValueNeverWrittenIsRejected() {
            write("a", "1");
            read("b", "42");

            assertNotLinearizable();
        }

        @Test
        void keysAreIndependentRegisters() {
            write("a", "x", "1");
            write("a", "y", "2");
            read("b", "x", "1");
            read("b", "y", "2");

            CheckResult result = assertLinearizable();
            assertThat(result.keys()).isEqualTo(2);
            assertThat(result.operations()).isEqualTo(4);
        }
    }

    @Nested
    class ConcurrentHistories {

        @ParameterizedTest
        @ValueSource(strings = {"1", "2"})
        void aReadOverlappingAWriteMaySeeTheOldOrTheNewValue(String seen) {
            write("a", "1");
            Pending write = history.invoke("a", new Write("x", "2"));
            read("b", seen);
            write.ok(null);

            assertLinearizable();
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "2"})
        void overlappingWritesTakeEffectInEitherOrder(String last) {
            Pending first = history.invoke("a", new Write("x", "1"));
            Pending second = history.invoke("b", new Write("x", "2"));
            first.ok(null);
            second.ok(null);
            read("c", last);

            assertLinearizable();
        }

        @Test
        void onceAReadSawANewValueALaterReadMayNotSeeTheOldOne() {
            write("a", "1");
            Pending write = history.invoke("a", new Write("x", "2"));
            read("b", "2");
            read("c", "1");
            write.ok(null);

            assertNotLinearizable();
        }

        @Test
        void twoOverlappingReadsMaySeeTheNewAndTheOldValueInEitherOrder() {
            write("a", "1");
            Pending write = history.invoke("a", new Write("x", "2"));
            Pending newer = history.invoke("b", new Read("x"));
            Pending older = history.invoke("c", new Read("x"));
            newer.ok("2");
            older.ok("1");
            write.ok(null);

            assertLinearizable();
        }

        @Test
        void aReadThatCompletedBeforeAWriteWasInvokedCannotSeeIt() {
            read("b", "2");
            write("a", "2");

            assertNotLinearizable();
        }
    }

    @Nested
    class CompareAndSetSemantics {

        @Test
        void succeedsWhenTheRegisterHoldsTheExpectedValue() {
            write("a", "1");
            compareAndSet("b", "1", "2", true);
            read("c", "2");

            assertLinearizable();
        }

        @Test
        void withAnAbsentExpectationCreatesTheKey() {
            compareAndSet("a", null, "1", true);
            read("b", "1");

            assertLinearizable();
        }

        @Test
        void failsWithoutEffectWhenTheRegisterHoldsAnotherValue() {
            write("a", "1");
            compareAndSet("b", "0", "2", false);
            read("c", "1");

            assertLinearizable();
        }

        @Test
        void aSuccessAgainstAnotherValueIsRejected() {
            write("a", "1");
            compareAndSet("b", "0", "2", true);

            assertNotLinearizable();
        }

        @Test
        void aFailureWhileTheRegisterHeldTheExpectedValueIsRejected() {
            write("a", "1");
            compareAndSet("b", "1", "2", false);

            assertNotLinearizable();
        }

        @Test
        void twoOverlappingSwapsFromTheSameValueCannotBothSucceed() {
            write("a", "1");
            Pending first = history.invoke("b", new CompareAndSet("x", "1", "2"));
            Pending second = history.invoke("c", new CompareAndSet("x", "1", "3"));
            first.ok(true);
            second.ok(true);

            assertNotLinearizable();
        }

        @Test
        void ofTwoOverlappingSwapsFromTheSameValueOneMayFail() {
            write("a", "1");
            Pending first = history.invoke("b", new CompareAndSet("x", "1", "2"));
            Pending second = history.invoke("c", new CompareAndSet("x", "1", "3"));
            first.ok(false);
            second.ok(true);
            read("a", "3");

            assertLinearizable();
        }

        @Test
        void aSwapWithUnknownOutcomeMayHaveSucceeded() {
            write("a", "1");
            history.invoke("b", new CompareAndSet("x", "1", "2")).unknown();
            read("c", "2");

            assertLinearizable();
        }

        @Test
        void aSwapWithUnknownOutcomeCannotHaveSucceededAgainstAnotherValue() {
            write("a", "1");
            history.invoke("b", new CompareAndSet("x", "0", "2")).unknown();
            read("c", "2");

            assertNotLinearizable();
        }
    }

    @Nested
    class UnknownAndFailedOutcomes {

        @Test
        void aWriteWithUnknownOutcomeMayHaveTakenEffect() {
            write("a", "1");
            history.invoke("a", new Write("x", "2")).unknown();
            read("b", "2");

            assertLinearizable();
        }

        @Test
        void aWriteWithUnknownOutcomeMayNeverHaveTakenEffect() {
            write("a", "1");
            history.invoke("a", new Write("x", "2")).unknown();
            read("b", "1");
            read("b", "1");

            assertLinearizable();
        }

        @Test
        void aWriteWithUnknownOutcomeMayTakeEffectLongAfterItsClientGaveUp() {
            write("a", "1");
            history.invoke("a", new Write("x", "2")).unknown();
            read("b", "1");
            write("a", "3");
            read("b", "3");
            read("b", "2");

            assertLinearizable();
        }

        @Test
        void aWriteWithUnknownOutcomeTakesEffectAtMostOnce() {
            write("a", "1");
            history.invoke("a", new Write("x", "2")).unknown();
            read("b", "2");
            write("a", "3");
            read("b", "2");

            assertNotLinearizable();
        }

        @Test
        void aWriteWithUnknownOutcomeCannotTakeEffectBeforeItWasInvoked() {
            read("b", "2");
            history.invoke("a", new Write("x", "2")).unknown();

            assertNotLinearizable();
        }

        @Test
        void aWriteWithUnknownOutcomeMayExplainALaterFailedCompareAndSet() {
            write("a", "1");
            history.invoke("a", new Write("x", "2")).unknown();
            compareAndSet("b", "1", "3", false);

            assertLinearizable();
        }

        @Test
        void aWriteWithUnknownOutcomeCannotExplainAFailedCompareAndSetThatEndedBeforeItsInvocation() {
            write("a", "1");
            compareAndSet("b", "1", "3", false);
            history.invoke("a", new Write("x", "2")).unknown();

            assertNotLinearizable();
        }

        @Test
        void aFailedWriteNeverTookEffect() {
            write("a", "1");
            history.invoke("a", new Write("x", "2")).failed();
            read("b", "2");

            assertNotLinearizable();
        }

        @Test
        void aReadWithUnknownOutcomeConstrainsNothing() {
            write("a", "1");
            history.invoke("b", new Read("x")).unknown();

            assertLinearizable();
        }

        @Test
        void operationsNeverCompletedCountAsUnknown() {
            write("a", "1");
            history.invoke("a", new Write("x", "2"));
            read("b", "2");

            assertLinearizable();
        }

        @Test
        void manyOverlappingWritesWithUnknownOutcomeThatNobodyObservedStayCheap() {
            write("a", "1");
            for (int i = 0; i < 60; i++) {
                history.invoke("c" + i, new Write("x", "lost-" + i));
            }
            read("b", "1");
            write("a", "2");
            read("b", "2");

            CheckResult result =
                    LinearizabilityChecker.check(history.operations(), new SearchBudget(Duration.ofSeconds(5), 1_000));

            assertThat(result.linearizable()).as(result.explanation()).isTrue();
        }
    }

    @Nested
    class DeleteSemantics {

        @Test
        void aReadAfterADeleteSeesTheKeyAbsent() {
            write("a", "1");
            delete("a");
            read("b", null);

            assertLinearizable();
        }

        @Test
        void aReadAfterACompletedDeleteCannotSeeTheOldValue() {
            write("a", "1");
            delete("a");
            read("b", "1");

            assertNotLinearizable();
        }

        @Test
        void aDeleteOfAnAbsentKeyLeavesItAbsent() {
            delete("a");
            read("b", null);

            assertLinearizable();
        }

        @Test
        void aWriteAfterADeleteRecreatesTheKey() {
            write("a", "1");
            delete("a");
            compareAndSet("a", null, "2", true);
            read("b", "2");

            assertLinearizable();
        }
    }

    @Nested
    class Verdicts {

        @Test
        void aViolationNamesTheKeyAndTheOperationsThatCannotBePlaced() {
            write("a", "y", "0");
            write("a", "1");
            write("a", "2");
            read("b", "1");

            CheckResult result = assertNotLinearizable();

            assertThat(result.explanation())
                    .contains("key \"x\" is not linearizable")
                    .doesNotContain("key \"y\"")
                    .contains("A longest linearizable prefix: 2 of 3 operations")
                    .contains("a: write \"1\"")
                    .contains("a: write \"2\"")
                    .contains("The register then holds \"2\"")
                    .contains("b: read -> \"1\"  <- returned \"1\", but the register holds \"2\"");
        }

        @Test
        void aSearchOverItsBudgetIsReportedAsInconclusiveNotLinearizable() {
            List<Pending> writes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                writes.add(history.invoke("c" + i, new Write("x", "v" + i)));
            }
            writes.forEach(write -> write.ok(null));
            read("r", "v0");

            CheckResult result =
                    LinearizabilityChecker.check(history.operations(), new SearchBudget(Duration.ofSeconds(5), 3));

            assertThat(result.linearizable()).isFalse();
            assertThat(result.explanation())
                    .contains("inconclusive")
                    .contains("key \"x\"")
                    .contains("more than 3 states")
                    .contains("fewer concurrent clients per key")
                    .contains("The longest linearizable prefix found");
        }

        @Test
        void aMalformedReadResultIsRefusedWithWhatToRecordInstead() {
            history.invoke("a", new Read("x")).ok(42);

            assertThatThrownBy(() -> LinearizabilityChecker.check(history.operations()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("record the value read as a String");
        }

        @Test
        void aCompareAndSetWithoutABooleanResultIsRefused() {
            history.invoke("a", new CompareAndSet("x", null, "1")).ok(null);

            assertThatThrownBy(() -> LinearizabilityChecker.check(history.operations()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("record Boolean.TRUE");
        }

        @Test
        void anEmptyHistoryIsLinearizable() {
            assertLinearizable();
        }
    }

    private void write(String client, String value) {
        write(client, "x", value);
    }

    private void write(String client, String key, String value) {
        history.invoke(client, new Write(key, value)).ok(null);
    }

    private void read(String client, String result) {
        read(client, "x", result);
    }

    private void read(String client, String key, String result) {
        history.invoke(client, new Read(key)).ok(result);
    }

    private void compareAndSet(String client, String expected, String value, boolean succeeded) {
        history.invoke(client, new CompareAndSet("x", expected, value)).ok(succeeded);
    }

    private void delete(String client) {
        history.invoke(client, new Delete("x")).ok(null);
    }

    private CheckResult assertLinearizable() {
        CheckResult result = LinearizabilityChecker.check(history.operations());
        assertThat(result.linearizable()).as(result.explanation()).isTrue();
        return result;
    }

    private CheckResult assertNotLinearizable() {
        CheckResult result = LinearizabilityChecker.check(history.operations());
        assertThat(result.linearizable()).as(result.explanation()).isFalse();
        assertThat(result.explanation()).contains("not linearizable");
        return result;
    }
}
