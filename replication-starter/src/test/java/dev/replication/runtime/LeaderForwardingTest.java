package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.core.Message;
import dev.replication.runtime.ForwardingProtocol.Answer;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerCallException;
import dev.replication.transport.PeerTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class LeaderForwardingTest {

    private static final long NOW = 1_000_000_000L;

    private final RecordingTransport transport = new RecordingTransport();
    private final List<Propose> retried = new ArrayList<>();
    private final LeaderForwarding forwarding = new LeaderForwarding("n1", transport, retried::add);

    @Test
    void theWritesOfOneTurnForOneLeaderTravelInOnePeerCall() {
        forwarding.add("n2", write(new byte[] {1}, 5_000));
        forwarding.add("n2", write(new byte[] {2}, 5_000));

        forwarding.forwardBatches(NOW);

        assertThat(transport.calls).hasSize(1);
        Call call = transport.calls.get(0);
        assertThat(call.peerId).isEqualTo("n2");
        assertThat(ForwardingProtocol.decodeCommands(call.body).envelopes())
                .containsExactly(new byte[] {1}, new byte[] {2});
    }

    @Test
    void theCallLastsAsLongAsTheMostUrgentWriteMayWait() {
        forwarding.add("n2", write(new byte[] {1}, 5_000));
        forwarding.add("n2", write(new byte[] {2}, 700));

        forwarding.forwardBatches(NOW);

        assertThat(transport.calls.get(0).timeout).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void aWriteTheLeaderAppliedIsApplied() {
        Propose propose = forwarded();

        transport.answer(new Answer.Applied(12, new byte[] {3}));

        assertThat(propose.result.join().index()).isEqualTo(12);
    }

    @Test
    void aWriteTheLeaderDidNotApplyIsRetriedAsCertainlyNotInTheLog() {
        Propose propose = forwarded();

        transport.answer(new Answer.NotApplied("n3", "not the leader"));

        assertThat(retried).containsExactly(propose);
        assertThat(propose.markTimedOut())
                .as("back to waiting: a deadline now means not applied")
                .isTrue();
    }

    @Test
    void aWriteWhoseOutcomeTheLeaderDoesNotKnowHasAnUnknownOutcome() {
        Propose propose = forwarded();

        transport.answer(new Answer.OutcomeUnknown("lost leadership"));

        assertThat(failureOf(propose)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aWriteWhoseCallWasCertainlyNotDeliveredIsRetried() {
        Propose propose = forwarded();

        transport.fail(new PeerCallException("n2", PeerCallException.Delivery.NOT_DELIVERED, "connect refused"));

        assertThat(retried).containsExactly(propose);
        assertThat(propose.result).isNotDone();
    }

    @Test
    void aWriteWhoseCallFailedAfterSendingHasAnUnknownOutcome() {
        Propose propose = forwarded();

        transport.fail(new PeerCallException("n2", PeerCallException.Delivery.MAYBE_DELIVERED, "timeout"));

        assertThat(failureOf(propose)).isInstanceOf(OutcomeUnknownException.class);
        assertThat(retried).isEmpty();
    }

    @Test
    void anUnreadableAnswerGivesEveryWriteOfTheBatchAnUnknownOutcome() {
        Propose first = write(new byte[] {1}, 5_000);
        Propose second = write(new byte[] {2}, 5_000);
        forwarding.add("n2", first);
        forwarding.add("n2", second);
        forwarding.forwardBatches(NOW);

        transport.calls.get(0).answer.complete(new byte[] {99});

        assertThat(failureOf(first)).isInstanceOf(OutcomeUnknownException.class);
        assertThat(failureOf(second)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aWriteTheLeaderLeftUnansweredHasAnUnknownOutcome() {
        Propose first = write(new byte[] {1}, 5_000);
        Propose second = write(new byte[] {2}, 5_000);
        forwarding.add("n2", first);
        forwarding.add("n2", second);
        forwarding.forwardBatches(NOW);

        transport.answer(new Answer.Applied(4, new byte[0]));

        assertThat(first.result.join().index()).isEqualTo(4);
        assertThat(failureOf(second)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void theLeaderAnswersEachForwardedWriteInTheOrderOfTheBatch() {
        byte[] body = ForwardingProtocol.encodeCommands(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}), 900);
        List<CompletableFuture<Answer.Applied>> outcomes = List.of(
                CompletableFuture.completedFuture(new Answer.Applied(8, new byte[] {5})),
                CompletableFuture.failedFuture(new NotAppliedException("not the leader", "n3")),
                CompletableFuture.failedFuture(new OutcomeUnknownException("lost leadership")));
        List<Duration> timeouts = new ArrayList<>();

        byte[] answers = LeaderForwarding.serve(body, (envelope, timeout) -> {
                    timeouts.add(timeout);
                    return outcomes.get(envelope[0] - 1);
                })
                .join();

        List<Answer> decoded = ForwardingProtocol.decodeAnswers(answers);
        assertThat(decoded.get(0)).isInstanceOf(Answer.Applied.class);
        assertThat(decoded.get(1)).isEqualTo(new Answer.NotApplied("n3", "not the leader"));
        assertThat(decoded.get(2)).isEqualTo(new Answer.OutcomeUnknown("lost leadership"));
        assertThat(timeouts).containsOnly(Duration.ofMillis(900));
    }

    @Test
    void writesTakenBackBeforeForwardingAreNotSent() {
        Propose propose = write(new byte[] {1}, 5_000);
        forwarding.add("n2", propose);

        assertThat(forwarding.takeUnforwarded()).containsExactly(propose);
        forwarding.forwardBatches(NOW);
        assertThat(transport.calls).isEmpty();
    }

    private Propose forwarded() {
        Propose propose = write(new byte[] {1}, 5_000);
        forwarding.add("n2", propose);
        forwarding.forwardBatches(NOW);
        return propose;
    }

    private static Propose write(byte[] envelope, long timeoutMillis) {
        Propose propose = new Propose(envelope, NOW + timeoutMillis * 1_000_000, false);
        propose.markSent();
        return propose;
    }

    private static Throwable failureOf(Propose propose) {
        try {
            propose.result.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private record Call(String peerId, byte[] body, Duration timeout, CompletableFuture<byte[]> answer) {}

    /** Records peer calls; the test answers them. */
    private static final class RecordingTransport implements PeerTransport {
        final List<Call> calls = new ArrayList<>();

        void answer(Answer... answers) {
            calls.get(0).answer.complete(ForwardingProtocol.encodeAnswers(List.of(answers)));
        }

        void fail(Throwable error) {
            calls.get(0).answer.completeExceptionally(error);
        }

        @Override
        public void start(InboundHandler handler) {}

        @Override
        public void send(Message message) {}

        @Override
        public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
            Call call = new Call(peerId, body, timeout, new CompletableFuture<>());
            calls.add(call);
            return call.answer;
        }

        @Override
        public void close() {}
    }
}
