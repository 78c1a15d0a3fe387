package dev.replication.testsupport.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A thread-safe recorder of client operations. Every invocation and completion takes the next
 * tick of one logical clock, so the recorded order is the real-time order the recorder saw.
 */
public final class History {

    private final AtomicLong clock = new AtomicLong();
    private final List<Pending> operations = new ArrayList<>();

    /** Records the start of {@code operation} by {@code client}. */
    public synchronized Pending invoke(String client, Operation operation) {
        Pending pending = new Pending(operations.size(), client, operation, clock.incrementAndGet());
        operations.add(pending);
        return pending;
    }

    /**
     * The operations recorded so far; those not yet completed are reported as {@link
     * Outcome#UNKNOWN}.
     */
    public synchronized List<OperationRecord> operations() {
        List<OperationRecord> records = new ArrayList<>(operations.size());
        for (Pending pending : operations) {
            records.add(pending.toRecord());
        }
        return records;
    }

    /** An operation that has been invoked; complete it exactly once. */
    public final class Pending {
        private final long id;
        private final String client;
        private final Operation operation;
        private final long invokedAt;
        private long completedAt = Long.MAX_VALUE;
        private @Nullable Outcome outcome;
        private @Nullable Object result;

        private Pending(long id, String client, Operation operation, long invokedAt) {
            this.id = id;
            this.client = client;
            this.operation = operation;
            this.invokedAt = invokedAt;
        }

        /** The operation took effect with {@code result} (see {@link Operation}). */
        public void ok(@Nullable Object result) {
            complete(Outcome.OK, result);
        }

        /** The operation certainly did not take effect. */
        public void failed() {
            complete(Outcome.FAILED, null);
        }

        /** The operation may or may not have taken effect. */
        public void unknown() {
            complete(Outcome.UNKNOWN, null);
        }

        private void complete(Outcome outcome, @Nullable Object result) {
            synchronized (History.this) {
                if (this.outcome != null) {
                    throw new IllegalStateException("operation " + id + " completed twice");
                }
                this.outcome = outcome;
                this.result = result;
                this.completedAt = outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : clock.incrementAndGet();
            }
        }

        private OperationRecord toRecord() {
            Outcome current = outcome == null ? Outcome.UNKNOWN : outcome;
            long end = current == Outcome.UNKNOWN ? Long.MAX_VALUE : completedAt;
            return new OperationRecord(id, client, operation, invokedAt, end, current, result);
        }
    }
}
