package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.NodeEvent.AwaitApplied;
import dev.replication.runtime.NodeEvent.Read;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class PendingReadsTest {

    private static final RoleState FOLLOWER_OF_N2 = new RoleState(Role.FOLLOWER, "n2", 2);
    private static final RoleState NO_LEADER = new RoleState(Role.FOLLOWER, null, 2);
    private static final long MAX_READ_LAG = 100;

    private final PendingReads reads = new PendingReads("n1", MAX_READ_LAG);
    private final List<Long> readIndexRequests = new ArrayList<>();

    @Test
    void aReadAsksForAReadIndexWhenALeaderIsKnown() {
        reads.dispatch(new Read(1, 0), FOLLOWER_OF_N2, readIndexRequests::add);

        assertThat(readIndexRequests).containsExactly(1L);
    }

    @Test
    void aReadWithoutALeaderWaitsForOne() {
        reads.dispatch(new Read(1, 0), NO_LEADER, readIndexRequests::add);
        assertThat(readIndexRequests).isEmpty();

        reads.retryWaiting(FOLLOWER_OF_N2, readIndexRequests::add);

        assertThat(readIndexRequests).containsExactly(1L);
    }

    @Test
    void aReadWhoseReadIndexIsAppliedCompletes() {
        Read read = inFlight(1, 0);

        reads.answered(List.of(new ReadState(1, 10)), List.of(), 10, "n2");

        assertThat(read.result).isCompleted();
    }

    @Test
    void aReadWhoseReadIndexIsNotYetAppliedCompletesOnceItIs() {
        Read read = inFlight(1, 0);
        reads.answered(List.of(new ReadState(1, 10)), List.of(), 8, "n2");
        assertThat(read.result).isNotDone();

        reads.applied(10);

        assertThat(read.result).isCompleted();
    }

    @Test
    void aReadAlsoWaitsForItsOwnMinimumIndex() {
        Read read = inFlight(1, 12);

        reads.answered(List.of(new ReadState(1, 10)), List.of(), 10, "n2");
        assertThat(read.result).isNotDone();
        reads.applied(12);

        assertThat(read.result).isCompleted();
    }

    @Test
    void aReadOnANodeTooFarBehindFailsFastAsUnavailable() {
        Read read = inFlight(1, 0);

        reads.answered(List.of(new ReadState(1, 10 + MAX_READ_LAG + 1)), List.of(), 10, "n2");

        assertThat(failureOf(read.result)).isInstanceOf(ReplicationUnavailableException.class);
    }

    @Test
    void aRejectedReadWaitsForALeaderAgain() {
        Read read = inFlight(1, 0);

        reads.answered(List.of(), List.of(new ReadRejection(1, null, "leader stepped down")), 10, null);
        reads.retryWaiting(FOLLOWER_OF_N2, readIndexRequests::add);

        assertThat(read.result).isNotDone();
        assertThat(readIndexRequests).containsExactly(1L, 1L);
    }

    @Test
    void aWaiterForAnAppliedIndexCompletesOnceThatIndexIsApplied() {
        CompletableFuture<Void> waiter = new CompletableFuture<>();

        reads.awaitApplied(new AwaitApplied(5, waiter, true), 4);
        assertThat(waiter).isNotDone();
        reads.applied(5);

        assertThat(waiter).isCompleted();
    }

    @Test
    void whenTheNodeStopsEveryReadIsUnavailable() {
        Read inFlight = inFlight(1, 0);
        Read waiting = new Read(2, 0);
        reads.dispatch(waiting, NO_LEADER, readIndexRequests::add);
        Read unqueued = new Read(3, 0);

        reads.stopped(List.of(unqueued));

        assertThat(List.of(inFlight, waiting, unqueued))
                .allSatisfy(
                        read -> assertThat(failureOf(read.result)).isInstanceOf(ReplicationUnavailableException.class));
    }

    @Test
    void applyingCompletesOnlyTheWaitersItReaches() {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        CompletableFuture<Void> beyond = new CompletableFuture<>();
        reads.awaitApplied(new AwaitApplied(5, reached, true), 4);
        reads.awaitApplied(new AwaitApplied(9, beyond, false), 4);

        reads.applied(6);

        assertThat(reached).isCompleted();
        assertThat(beyond).isNotDone();
        assertThat(reads.size()).isEqualTo(1);
    }

    @Test
    void aReadWaitingForItsReadIndexToBeAppliedWhenTheNodeStopsIsUnavailable() {
        Read read = inFlight(1, 0);
        reads.answered(List.of(new ReadState(1, 10)), List.of(), 8, "n2");

        reads.stopped(List.of());

        assertThat(failureOf(read.result)).isInstanceOf(ReplicationUnavailableException.class);
    }

    @Test
    void aStaleReadWaitingForItsMinimumWhenTheNodeStopsIsUnavailable() {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        reads.awaitApplied(new AwaitApplied(10, waiter, false), 8);

        reads.stopped(List.of());

        assertThat(failureOf(waiter)).isInstanceOf(ReplicationUnavailableException.class);
    }

    @Test
    void aWriteWaitingToBeAppliedHereWhenTheNodeStopsHasAnUnknownOutcome() {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        reads.awaitApplied(new AwaitApplied(10, waiter, true), 8);

        reads.stopped(List.of());

        assertThat(failureOf(waiter)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void answeredReadsAndWaitersAreForgottenBeforeALeaderIsKnownOrTheirIndexApplied() {
        Read waitingForLeader = new Read(1, 0);
        reads.dispatch(waitingForLeader, NO_LEADER, readIndexRequests::add);
        Read inFlight = inFlight(2, 0);
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        reads.awaitApplied(new AwaitApplied(100, waiter, false), 8);
        waitingForLeader.fail(new IllegalStateException("timed out"));
        inFlight.fail(new IllegalStateException("timed out"));
        waiter.completeExceptionally(new IllegalStateException("timed out"));

        reads.forgetAnswered();

        assertThat(reads.size()).isZero();
    }

    private Read inFlight(long id, long minIndex) {
        Read read = new Read(id, minIndex);
        reads.dispatch(read, FOLLOWER_OF_N2, readIndexRequests::add);
        return read;
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
