package dev.replication.testsupport.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the checker fast on histories of the size the fault tests record; prints the time, asserts none. */
class LinearizabilityCheckerPerformanceTest {

    @Test
    void checksFiveThousandOperationsOverTenKeysFromFiveClients() {
        List<OperationRecord> history =
                ConcurrentRegisterRun.run(ConcurrentRegisterRun.Choices.random(42), 5, 10, 5_000);

        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history);
        long micros = (System.nanoTime() - start) / 1_000;

        System.out.printf(
                "checked %d operations over %d keys in %d ms (%s)%n",
                result.operations(), result.keys(), micros / 1_000, result.explanation());
        assertThat(result.linearizable()).as(result.explanation()).isTrue();
        assertThat(result.operations()).isEqualTo(5_000);
    }

    @Test
    void checksFiveThousandOperationsOnOneKeyFromFiveClients() {
        List<OperationRecord> history = ConcurrentRegisterRun.run(ConcurrentRegisterRun.Choices.random(7), 5, 1, 5_000);

        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history);
        long micros = (System.nanoTime() - start) / 1_000;

        System.out.printf(
                "checked %d operations on one key in %d ms (%s)%n",
                result.operations(), micros / 1_000, result.explanation());
        assertThat(result.linearizable()).as(result.explanation()).isTrue();
    }
}
