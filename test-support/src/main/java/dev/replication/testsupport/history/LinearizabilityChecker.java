package dev.replication.testsupport.history;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a recorded client history of a key-value store is linearizable: whether every
 * operation can be given one instant between its invocation and its completion at which it took
 * effect, such that the results seen by clients are those of a sequential register per key.
 *
 * <p>Keys are independent registers, so each key's sub-history is checked on its own
 * (linearizability is compositional), with {@link RegisterSearch}. Outcomes are treated as
 * follows:
 *
 * <ul>
 *   <li>{@link Outcome#OK}: took effect exactly once within its interval; its result must match
 *       the register.
 *   <li>{@link Outcome#FAILED}: certainly did not take effect; dropped.
 *   <li>{@link Outcome#UNKNOWN}: took effect at some instant after its invocation, or never; a
 *       read with unknown outcome constrains nothing and is dropped.
 * </ul>
 *
 * <p>A key whose search exceeds the {@link SearchBudget} makes the verdict "not linearizable"
 * with an explanation saying that the check was inconclusive and how to make it decidable.
 *
 * <pre>{@code
 * History history = new History();
 * History.Pending put = history.invoke("client-1", new Operation.Write("k", "v1"));
 * // 200: put.ok(null); 503 (certainly not in the log): put.failed();
 * // 504 outcome-unknown, timeout, connection lost: put.unknown()
 * CheckResult result = LinearizabilityChecker.check(history.operations());
 * assertThat(result.linearizable()).as(result.explanation()).isTrue();
 * }</pre>
 *
 * <p>Cost: fast (milliseconds per thousand operations) while few operations overlap on one key.
 * It grows exponentially with the operations that overlap on a key, and with unknown-outcome
 * writes that a later read or compare-and-set could observe. {@link HistoryReduction} sets aside
 * up front the unknown-outcome writes whose value nobody could observe and the failed
 * compare-and-sets whose expected value was certainly gone. The rest of the failed
 * compare-and-sets observe every value but the one they expected, so many of them together with
 * many unknown-outcome writes can make a violation take the whole budget to prove.
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {}

    /** Checks {@code history} with {@link SearchBudget#DEFAULT}. */
    public static CheckResult check(List<OperationRecord> history) {
        return check(history, SearchBudget.DEFAULT);
    }

    /**
     * Checks {@code history}, giving each key's search at most {@code budget}.
     *
     * @throws IllegalArgumentException if a record is malformed (for example a read whose result
     *     is not a String, or a completion before the invocation)
     */
    public static CheckResult check(List<OperationRecord> history, SearchBudget budget) {
        Map<String, List<OperationRecord>> byKey = new TreeMap<>();
        Set<String> keys = new HashSet<>();
        int failed = 0;
        int unknownReads = 0;
        int unknown = 0;
        for (OperationRecord record : history) {
            validate(record);
            keys.add(record.operation().key());
            if (record.outcome() == Outcome.FAILED) {
                failed++;
                continue;
            }
            if (record.outcome() == Outcome.UNKNOWN) {
                if (record.operation() instanceof Operation.Read) {
                    unknownReads++;
                    continue;
                }
                unknown++;
            }
            byKey.computeIfAbsent(record.operation().key(), k -> new ArrayList<>())
                    .add(record);
        }

        List<KeyVerdict> violations = new ArrayList<>();
        List<KeyVerdict> inconclusive = new ArrayList<>();
        int setAside = 0;
        for (Map.Entry<String, List<OperationRecord>> entry : byKey.entrySet()) {
            List<OperationRecord> relevant = HistoryReduction.reduce(entry.getValue());
            setAside += entry.getValue().size() - relevant.size();
            KeyVerdict verdict = new RegisterSearch(entry.getKey(), relevant, budget).run();
            if (verdict.kind() == KeyVerdict.Kind.VIOLATION) {
                violations.add(verdict);
            } else if (verdict.kind() == KeyVerdict.Kind.INCONCLUSIVE) {
                inconclusive.add(verdict);
            }
        }

        String counts = count(history.size(), "operation") + " over " + count(keys.size(), "key") + " (" + failed
                + " failed and " + unknownReads + " reads with unknown outcome dropped; " + unknown
                + " other operations with unknown outcome; " + setAside
                + " operations that cannot affect the verdict set aside)";
        if (violations.isEmpty() && inconclusive.isEmpty()) {
            return new CheckResult(true, "linearizable: " + counts, history.size(), keys.size());
        }
        StringBuilder explanation = new StringBuilder();
        if (!violations.isEmpty()) {
            explanation
                    .append("not linearizable: ")
                    .append(violations.size())
                    .append(" of ")
                    .append(keys.size())
                    .append(violations.size() == 1 ? " keys has a violation" : " keys have a violation");
        } else {
            explanation
                    .append("inconclusive, so not reported as linearizable: ")
                    .append(inconclusive.size())
                    .append(" of ")
                    .append(keys.size())
                    .append(" keys could not be decided within the search budget");
        }
        explanation.append("; ").append(counts).append('\n');
        for (KeyVerdict verdict : violations) {
            explanation.append(verdict.explanation());
        }
        for (KeyVerdict verdict : inconclusive) {
            explanation.append(verdict.explanation()).append('\n');
        }
        return new CheckResult(false, explanation.toString(), history.size(), keys.size());
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static void validate(OperationRecord record) {
        if (record == null || record.operation() == null || record.outcome() == null) {
            throw new IllegalArgumentException("malformed history record " + record
                    + ": operation and outcome are required; record histories with History");
        }
        if (record.operation().key() == null) {
            throw new IllegalArgumentException(
                    "operation #" + record.id() + " has no key: every operation names the key it acts on");
        }
        if (record.outcome() != Outcome.OK) {
            return;
        }
        if (record.completedAt() < record.invokedAt()) {
            throw new IllegalArgumentException("operation #" + record.id() + " completed at t=" + record.completedAt()
                    + " before it was invoked at t=" + record.invokedAt()
                    + "; take both from one clock (History does)");
        }
        if (record.operation() instanceof Operation.Read
                && record.result() != null
                && !(record.result() instanceof String)) {
            throw new IllegalArgumentException("read #" + record.id() + " has result " + record.result() + " of type "
                    + record.result().getClass().getName()
                    + "; record the value read as a String, or null when absent");
        }
        if (record.operation() instanceof Operation.CompareAndSet && !(record.result() instanceof Boolean)) {
            throw new IllegalArgumentException("compare-and-set #" + record.id() + " has result " + record.result()
                    + "; record Boolean.TRUE when it set the value, FALSE when the expected value did not match");
        }
    }
}
