package dev.replication.transport;

import static dev.replication.transport.PeerTransportContract.assertDelivery;
import static dev.replication.transport.PeerTransportContract.exceptionOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a caller learns whether its call may have run when the peer itself answers with an
 * error: "starting" has not started its transport, "slow" never answers within its server's
 * async request timeout.
 */
class PeerCallClassificationTest {

    private static PeerNode starting;
    private static PeerNode slow;
    private static Http2PeerTransport caller;
    private static final CompletableFuture<byte[]> never = new CompletableFuture<>();

    @BeforeAll
    static void startNodes() {
        starting = PeerNode.startWithoutHandler(PeerNodeApplication.class, "starting");
        slow = PeerNode.start(PeerNodeApplication.class, "slow", "spring.mvc.async.request-timeout=300ms");
        slow.handler.answering((operation, body) -> never);
        Map<String, URI> peers =
                Map.of("caller", URI.create("http://127.0.0.1:9"), "starting", starting.uri(), "slow", slow.uri());
        List.of(starting, slow).forEach(node -> node.transport().updatePeers(peers));
        caller = new Http2PeerTransport(PeerTransportSettings.of(
                "caller", "test-cluster", peers, ClusterSecret.of(PeerNodeConfiguration.SECRET)));
    }

    @AfterAll
    static void stopNodes() {
        never.complete(new byte[0]);
        caller.close();
        starting.close();
        slow.close();
    }

    @Test
    void aPeerThatHasNotStartedItsTransportAnswersNotDelivered() {
        CompletableFuture<byte[]> call = caller.call("starting", "propose", new byte[] {1}, Duration.ofSeconds(20));

        assertDelivery(call, PeerCallException.Delivery.NOT_DELIVERED);
        assertThat(exceptionOf(call)).hasMessageContaining("has not started its peer transport");
    }

    @Test
    void aPeerWhoseHandlerOutlivesTheServersRequestTimeoutAnswersOutcomeUnknown() {
        CompletableFuture<byte[]> call = caller.call("slow", "propose", new byte[] {1}, Duration.ofSeconds(20));

        assertDelivery(call, PeerCallException.Delivery.MAYBE_DELIVERED);
        assertThat(exceptionOf(call)).hasMessageContaining("504");
        assertThat(slow.handler.calls).hasValue(1);
    }
}
