package dev.replication.testsupport.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Wing &amp; Gong linearizability search with Lowe's memoisation (the algorithm of Porcupine and
 * Knossos) for the sub-history of one key, against a register model (absent or a value).
 *
 * <p>Calls and returns sit in one list ordered by time. Walking from the front, each call met
 * before the first return is an operation that may take effect next; if the model accepts it and
 * the pair (set of placed operations, register value) was not explored before, it is placed:
 * lifted out of the list and pushed on the undo stack, and the walk restarts. Meeting a return
 * means that operation's deadline passed without it being placed, so the last placement is
 * undone. The history is linearizable when every operation with a known outcome is placed.
 *
 * <p>Operations with an unknown outcome have no return in the list: they may be placed at any
 * point after their invocation, and need not be placed at all ("never took effect").
 */
// The search walks a doubly linked list of calls and returns whose links are null only at its
// ends, which the loop never passes; NullAway cannot follow that invariant.
@SuppressWarnings("NullAway")
final class RegisterSearch {

    private static final int WRITE = 0;
    private static final int DELETE = 1;
    private static final int READ = 2;
    private static final int CAS_SUCCEEDED = 3;
    private static final int CAS_FAILED = 4;
    /** A compare-and-set with unknown outcome: if it took effect at all, it succeeded. */
    private static final int CAS_MAYBE = 5;

    private static final int MAX_CANDIDATES_SHOWN = 20;

    private final String key;
    private final List<OperationRecord> operations;
    private final SearchBudget budget;
    private final int[] kind;
    /** Expected value of a compare-and-set, result of a read. */
    private final String[] expected;
    /** Value written by a write or compare-and-set. */
    private final String[] written;

    private final boolean[] definite;

    RegisterSearch(String key, List<OperationRecord> operations, SearchBudget budget) {
        this.key = key;
        this.operations = List.copyOf(operations);
        this.budget = budget;
        int n = operations.size();
        kind = new int[n];
        expected = new String[n];
        written = new String[n];
        definite = new boolean[n];
        for (int i = 0; i < n; i++) {
            OperationRecord record = operations.get(i);
            definite[i] = record.outcome() == Outcome.OK;
            Operation operation = record.operation();
            if (operation instanceof Operation.Write write) {
                kind[i] = WRITE;
                written[i] = write.value();
            } else if (operation instanceof Operation.Delete) {
                kind[i] = DELETE;
            } else if (operation instanceof Operation.Read) {
                kind[i] = READ;
                expected[i] = (String) record.result();
            } else if (operation instanceof Operation.CompareAndSet cas) {
                expected[i] = cas.expected();
                written[i] = cas.value();
                if (!definite[i]) {
                    kind[i] = CAS_MAYBE;
                } else {
                    kind[i] = Boolean.TRUE.equals(record.result()) ? CAS_SUCCEEDED : CAS_FAILED;
                }
            } else {
                throw new IllegalArgumentException("unsupported operation " + operation
                        + "; the register model knows Write, CompareAndSet, Read and Delete");
            }
        }
    }

    KeyVerdict run() {
        Entry head = buildEntries();
        int n = operations.size();
        int remainingDefinite = 0;
        for (boolean d : definite) {
            remainingDefinite += d ? 1 : 0;
        }
        long deadline = System.nanoTime() + budget.timePerKey().toNanos();
        Set<SearchState> explored = new HashSet<>();
        BitSet placed = new BitSet(n);
        Entry[] stackEntries = new Entry[n];
        String[] stackStates = new String[n];
        int depth = 0;
        // The deepest stack seen, for the explanation; copied incrementally because the stack
        // below the lowest depth popped to since the last copy is unchanged.
        int[] bestPrefix = new int[n];
        int bestDepth = 0;
        int unchangedBelow = 0;
        String state = null;
        long steps = 0;

        Entry entry = head.next;
        while (remainingDefinite > 0) {
            if ((++steps & 1023) == 0 && System.nanoTime() > deadline) {
                return inconclusive(
                        "it ran longer than " + budget.timePerKey(),
                        explored.size(),
                        Arrays.copyOf(bestPrefix, bestDepth));
            }
            if (entry.call) {
                int op = entry.op;
                if (accepts(op, state)) {
                    String next = apply(op, state);
                    placed.set(op);
                    if (explored.add(new SearchState((BitSet) placed.clone(), next))) {
                        if (explored.size() > budget.maxStatesPerKey()) {
                            return inconclusive(
                                    "it explored more than " + budget.maxStatesPerKey() + " states",
                                    explored.size(),
                                    Arrays.copyOf(bestPrefix, bestDepth));
                        }
                        stackEntries[depth] = entry;
                        stackStates[depth] = state;
                        depth++;
                        state = next;
                        remainingDefinite -= definite[op] ? 1 : 0;
                        entry.lift();
                        if (depth > bestDepth) {
                            for (int i = unchangedBelow; i < depth; i++) {
                                bestPrefix[i] = stackEntries[i].op;
                            }
                            bestDepth = depth;
                            unchangedBelow = depth;
                        }
                        entry = head.next;
                        continue;
                    }
                    placed.clear(op);
                }
                entry = entry.next;
            } else {
                if (depth == 0) {
                    return new KeyVerdict(
                            key,
                            KeyVerdict.Kind.VIOLATION,
                            "key " + OperationText.quote(key) + " is not linearizable.\n"
                                    + describeDeepestPoint(Arrays.copyOf(bestPrefix, bestDepth), true));
                }
                depth--;
                unchangedBelow = Math.min(unchangedBelow, depth);
                Entry top = stackEntries[depth];
                state = stackStates[depth];
                placed.clear(top.op);
                remainingDefinite += definite[top.op] ? 1 : 0;
                top.unlift();
                entry = top.next;
            }
        }
        return new KeyVerdict(key, KeyVerdict.Kind.LINEARIZABLE, "");
    }

    private boolean accepts(int op, String state) {
        switch (kind[op]) {
            case READ:
                return Objects.equals(state, expected[op]);
            case CAS_SUCCEEDED:
            case CAS_MAYBE:
                return Objects.equals(state, expected[op]);
            case CAS_FAILED:
                return !Objects.equals(state, expected[op]);
            default:
                return true;
        }
    }

    private String apply(int op, String state) {
        switch (kind[op]) {
            case WRITE:
            case CAS_SUCCEEDED:
            case CAS_MAYBE:
                return written[op];
            case DELETE:
                return null;
            default:
                return state;
        }
    }

    /** Calls and returns in time order; at equal times calls come first, so the two overlap. */
    private Entry buildEntries() {
        List<Entry> events = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            Entry call = new Entry(i, true, operations.get(i).invokedAt());
            events.add(call);
            if (definite[i]) {
                Entry ret = new Entry(i, false, operations.get(i).completedAt());
                call.match = ret;
                events.add(ret);
            }
        }
        events.sort(Comparator.comparingLong((Entry e) -> e.time)
                .thenComparing(e -> !e.call)
                .thenComparingInt(e -> e.op));
        Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry last = head;
        for (Entry e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    private KeyVerdict inconclusive(String why, int states, int[] deepestPrefix) {
        int definiteCount = 0;
        for (boolean d : definite) {
            definiteCount += d ? 1 : 0;
        }
        String explanation = "key " + OperationText.quote(key) + ": inconclusive, the search gave up because "
                + why + " (" + states + " states explored; " + deepestPrefix.length + " of " + operations.size()
                + " operations placed at best, " + definiteCount + " with a known outcome, "
                + (operations.size() - definiteCount) + " unknown). This is not a proof of linearizability. "
                + "The search grows exponentially with the number of operations that overlap in time on one key, "
                + "and with unknown-outcome writes that some later read or compare-and-set (even a failed one) "
                + "could observe: use fewer concurrent clients per key (spread them over more keys), shorter "
                + "histories, or fewer operations with unknown outcome (for example stop a client after a "
                + "timeout); or raise the SearchBudget. A violation, if there is one, is likely near the deepest "
                + "point the search reached:\n" + describeDeepestPoint(deepestPrefix, false);
        return new KeyVerdict(key, KeyVerdict.Kind.INCONCLUSIVE, explanation);
    }

    /**
     * Describes the deepest point the search reached: the operations placed so far, the register
     * value there, and for each operation that had to come next, why it cannot ({@code proven}:
     * the search exhausted every order, rather than running out of budget).
     */
    private String describeDeepestPoint(int[] prefix, boolean proven) {
        BitSet placed = new BitSet(operations.size());
        String state = null;
        for (int op : prefix) {
            state = apply(op, state);
            placed.set(op);
        }
        // The earliest deadline among definite operations not placed: everything invoked by
        // then is a candidate to take effect next, and none of them can.
        int blocking = -1;
        for (int i = 0; i < operations.size(); i++) {
            if (definite[i]
                    && !placed.get(i)
                    && (blocking < 0
                            || operations.get(i).completedAt()
                                    < operations.get(blocking).completedAt())) {
                blocking = i;
            }
        }
        StringBuilder text = new StringBuilder();
        int shown = Math.min(prefix.length, 10);
        text.append(proven ? "  A longest linearizable prefix: " : "  The longest linearizable prefix found: ")
                .append(prefix.length)
                .append(" of ")
                .append(operations.size())
                .append(" operations");
        if (prefix.length == 0) {
            text.append(".\n");
        } else {
            text.append(", in the order they took effect")
                    .append(shown < prefix.length ? " (last " + shown + " shown)" : "")
                    .append(":\n");
            for (int i = prefix.length - shown; i < prefix.length; i++) {
                text.append("    ")
                        .append(OperationText.describe(operations.get(prefix[i])))
                        .append('\n');
            }
        }
        text.append("  The register then holds ")
                .append(OperationText.value(state))
                .append(".\n");
        OperationRecord deadline = operations.get(blocking);
        text.append(
                        proven
                                ? "  None of these operations can take effect next, yet one of them must, because #"
                                : "  One of these operations must take effect next, because #")
                .append(deadline.id())
                .append(" completed at t=")
                .append(deadline.completedAt())
                .append(":\n");
        int listed = 0;
        int omitted = 0;
        // Operations with a known outcome first: they are where a violation shows.
        List<Integer> candidates = new ArrayList<>();
        for (boolean knownOutcome : new boolean[] {true, false}) {
            for (int i = 0; i < operations.size(); i++) {
                if (definite[i] == knownOutcome
                        && !placed.get(i)
                        && operations.get(i).invokedAt() <= deadline.completedAt()) {
                    candidates.add(i);
                }
            }
        }
        for (int i : candidates) {
            OperationRecord record = operations.get(i);
            if (listed == MAX_CANDIDATES_SHOWN) {
                omitted++;
                continue;
            }
            listed++;
            text.append("    ")
                    .append(OperationText.describe(record))
                    .append("  <- ")
                    .append(whyNotNext(i, state, proven))
                    .append('\n');
        }
        if (omitted > 0) {
            text.append("    ... and ").append(omitted).append(" more\n");
        }
        return text.toString();
    }

    private String whyNotNext(int op, String state, boolean proven) {
        if (accepts(op, state)) {
            return proven
                    ? "could take effect here, but then the remaining operations cannot be ordered"
                    : "could take effect here; the search ran out of budget exploring what follows";
        }
        switch (kind[op]) {
            case READ:
                return "returned " + OperationText.value(expected[op]) + ", but the register holds "
                        + OperationText.value(state);
            case CAS_FAILED:
                return "failed, but the register holds the expected " + OperationText.value(state);
            default:
                return "expects " + OperationText.value(expected[op]) + ", but the register holds "
                        + OperationText.value(state);
        }
    }

    /** A node of the doubly linked list of calls and returns. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }

        /** Removes this call and its return; they keep their links so {@link #unlift} can restore them. */
        void lift() {
            prev.next = next;
            if (next != null) {
                next.prev = prev;
            }
            if (match != null) {
                match.prev.next = match.next;
                if (match.next != null) {
                    match.next.prev = match.prev;
                }
            }
        }

        /** Undoes {@link #lift}; valid only in reverse order of lifting, as the undo stack guarantees. */
        void unlift() {
            if (match != null) {
                match.prev.next = match;
                if (match.next != null) {
                    match.next.prev = match;
                }
            }
            prev.next = this;
            if (next != null) {
                next.prev = this;
            }
        }
    }

    /** A memoised point of the search: which operations are placed, and the register value after them. */
    private record SearchState(BitSet placed, String value) {}
}
