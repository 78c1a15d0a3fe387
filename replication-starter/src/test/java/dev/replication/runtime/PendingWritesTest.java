package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.core.LogEntry;
import dev.replication.core.Proposal;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.ForwardingProtocol.Answer;
import dev.replication.runtime.NodeEvent.Propose;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class PendingWritesTest {

    private static final long NOW = 1_000_000_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final RoleState LEADER = new RoleState(Role.LEADER, "n1", 2);
    private static final RoleState FOLLOWER_OF_N2 = new RoleState(Role.FOLLOWER, "n2", 2);
    private static final RoleState NO_LEADER = new RoleState(Role.FOLLOWER, null, 2);

    private final LeaderForwarding forwarding = new LeaderForwarding("n1", null, propose -> true);
    private final PendingWrites writes = new PendingWrites("n1", NodeMetrics.NONE, forwarding);

    @Test
    void aWriteWhoseDeadlinePassesWhileItWaitsForALeaderIsNotApplied() {
        Propose propose = write();
        writes.dispatch(propose, NO_LEADER, NOW);

        writes.deadlinePassed(propose, TIMEOUT, null);

        assertThat(failureOf(propose)).isInstanceOf(NotAppliedException.class);
    }

    @Test
    void aWriteWhoseDeadlinePassesAfterItWasAppendedHasAnUnknownOutcome() {
        Propose propose = appendedAt(7, 2);

        writes.deadlinePassed(propose, TIMEOUT, "n1");

        assertThat(failureOf(propose)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aWriteAppendedUnderALeadershipThatIsLostHasAnUnknownOutcome() {
        Propose propose = appendedAt(7, 2);

        writes.leadershipLost(3);

        assertThat(failureOf(propose)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void anAppendedWriteIsAppliedWithTheResultOfItsEntry() {
        Propose propose = appendedAt(7, 2);
        byte[] result = {42};

        writes.applied(LogEntry.command(2, 7, new byte[] {1}), result, NOW);

        Answer.Applied applied = propose.result.join();
        assertThat(applied.index()).isEqualTo(7);
        assertThat(applied.result()).isEqualTo(result);
    }

    @Test
    void aWriteWhoseIndexAnotherLeadersEntryTookIsProposedAgainUnderTheNextLeader() {
        Propose propose = appendedAt(7, 2);

        writes.applied(LogEntry.command(3, 7, new byte[] {9}), new byte[0], NOW);
        writes.retryWaiting(LEADER, NOW);

        assertThat(propose.result).isNotDone();
        assertThat(writes.batch()).containsExactly(propose.envelope);
    }

    @Test
    void aWriteTheCoreRefusesCertainlyDidNotEnterTheLog() {
        Propose propose = write();
        writes.dispatch(propose, LEADER, NOW);

        writes.proposed(List.of(new Proposal.Rejected("n2", "not the leader")), NOW);
        writes.deadlinePassed(propose, TIMEOUT, "n2");

        assertThat(failureOf(propose)).isInstanceOf(NotAppliedException.class);
    }

    @Test
    void aWriteForwardedToANodeThatNoLongerLeadsIsNotAppliedAndNamesTheLeader() {
        Propose propose = new Propose(new byte[] {1}, NOW + TIMEOUT.toNanos(), true);

        writes.dispatch(propose, FOLLOWER_OF_N2, NOW);

        assertThat(failureOf(propose)).isInstanceOf(NotAppliedException.class);
        assertThat(((NotAppliedException) failureOf(propose)).leaderId()).isEqualTo("n2");
    }

    @Test
    void aFollowerThatKnowsTheLeaderForwardsTheWrite() {
        Propose propose = write();

        writes.dispatch(propose, FOLLOWER_OF_N2, NOW);

        assertThat(writes.hasBatch()).isFalse();
        assertThat(forwarding.takeUnforwarded()).containsExactly(propose);
    }

    @Test
    void aWriteWaitingForALeaderIsProposedOnceThisNodeLeads() {
        Propose propose = write();
        writes.dispatch(propose, NO_LEADER, NOW);

        writes.retryWaiting(LEADER, NOW);

        assertThat(writes.batch()).containsExactly(propose.envelope);
    }

    @Test
    void aWriteDispatchedAfterItsDeadlineIsLeftToItsDeadlineTask() {
        Propose propose = write();

        writes.dispatch(propose, LEADER, NOW + TIMEOUT.toNanos() + 1);

        assertThat(writes.hasBatch()).isFalse();
        assertThat(propose.result).isNotDone();
    }

    @Test
    void whenTheNodeStopsAnAppendedWriteHasAnUnknownOutcome() {
        Propose propose = appendedAt(7, 2);

        writes.stopped(List.of(), List.of());

        assertThat(failureOf(propose)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void whenTheNodeStopsWritesNotYetAppendedOrForwardedAreNotApplied() {
        Propose batched = write();
        writes.dispatch(batched, LEADER, NOW);
        Propose waiting = write();
        writes.dispatch(waiting, NO_LEADER, NOW);
        Propose unforwarded = write();
        Propose unqueued = write();

        writes.stopped(List.of(unforwarded), List.of(unqueued));

        assertThat(List.of(batched, waiting, unforwarded, unqueued))
                .allSatisfy(propose -> assertThat(failureOf(propose)).isInstanceOf(NotAppliedException.class));
    }

    @Test
    void answeredWritesAreForgottenBeforeALeaderIsKnownOrTheirIndexApplied() {
        Propose waiting = write();
        writes.dispatch(waiting, NO_LEADER, NOW);
        Propose appended = appendedAt(7, 2);
        writes.deadlinePassed(waiting, TIMEOUT, null);
        writes.deadlinePassed(appended, TIMEOUT, "n1");

        writes.forgetAnswered();

        assertThat(writes.size()).isZero();
    }

    private Propose write() {
        return new Propose(new byte[] {1}, NOW + TIMEOUT.toNanos(), false);
    }

    private Propose appendedAt(long index, long generation) {
        Propose propose = write();
        writes.dispatch(propose, LEADER, NOW);
        writes.proposed(List.of(new Proposal.Accepted(index, generation)), NOW);
        return propose;
    }

    private static Throwable failureOf(Propose propose) {
        assertThat(propose.result).isCompletedExceptionally();
        try {
            propose.result.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
