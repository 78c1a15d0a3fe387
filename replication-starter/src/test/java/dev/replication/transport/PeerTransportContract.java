package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.Message;
import dev.replication.core.TimeoutNow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PeerTransport} does, written once and run against each implementation
 * (in-memory and HTTP/2) over nodes {@code n1} and {@code n2}.
 */
abstract class PeerTransportContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    abstract PeerTransport transport(String nodeId);

    abstract RecordingHandler handler(String nodeId);

    @Test
    void aMessageReachesItsAddresseeOffTheSendersThread() {
        handler("n2").reset();
        transport("n1").send(new TimeoutNow("n1", "n2", 5));

        await().atMost(TIMEOUT).until(() -> !handler("n2").from("n1").isEmpty());
        assertThat(handler("n2").from("n1")).extracting(Message::generation).containsExactly(5L);
        assertThat(handler("n2").deliveryThreads)
                .doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void aCallCompletesWithThePeersAnswer() throws Exception {
        handler("n2")
                .answering((operation, body) -> CompletableFuture.completedFuture(
                        (operation + ":" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));

        byte[] answer = transport("n1")
                .call("n2", "propose", "x".getBytes(StandardCharsets.UTF_8), TIMEOUT)
                .get(30, TimeUnit.SECONDS);

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("propose:x");
    }

    @Test
    void aCallToAnUnknownPeerIsNotDelivered() {
        assertDelivery(
                transport("n1").call("n9", "propose", new byte[0], TIMEOUT), PeerCallException.Delivery.NOT_DELIVERED);
    }

    @Test
    void aFailingHandlerReachesTheCallerAsAnUnknownOutcome() {
        handler("n2")
                .answering((operation, body) ->
                        CompletableFuture.failedFuture(new IllegalStateException("state machine broke")));

        CompletableFuture<byte[]> call = transport("n1").call("n2", "propose", new byte[0], TIMEOUT);

        assertDelivery(call, PeerCallException.Delivery.MAYBE_DELIVERED);
        assertThat(exceptionOf(call)).hasMessageContaining("state machine broke");
    }

    @Test
    void aCallUnansweredBeforeItsTimeoutHasAnUnknownOutcome() {
        CompletableFuture<byte[]> never = new CompletableFuture<>();
        handler("n2").reset();
        handler("n2").answering((operation, body) -> never);
        try {
            CompletableFuture<byte[]> call = transport("n1").call("n2", "propose", new byte[0], Duration.ofMillis(300));

            assertDelivery(call, PeerCallException.Delivery.MAYBE_DELIVERED);
            assertThat(handler("n2").calls).hasValue(1);
        } finally {
            never.complete(new byte[0]);
        }
    }

    static void assertDelivery(CompletableFuture<byte[]> call, PeerCallException.Delivery expected) {
        assertThat(exceptionOf(call))
                .isInstanceOfSatisfying(
                        PeerCallException.class,
                        failure -> assertThat(failure.delivery()).isEqualTo(expected));
    }

    static Throwable exceptionOf(CompletableFuture<byte[]> call) {
        try {
            call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException failed) {
            return failed.getCause();
        } catch (Exception unexpected) {
            throw new AssertionError("call neither failed nor completed: " + unexpected, unexpected);
        }
        throw new AssertionError("call succeeded but was expected to fail");
    }
}
