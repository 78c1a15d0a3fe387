package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.Message;
import dev.replication.core.TimeoutNow;
import dev.replication.core.VoteResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryPeerNetworkTest extends PeerTransportContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final InMemoryPeerNetwork network = new InMemoryPeerNetwork();
    private final RecordingHandler n1 = new RecordingHandler();
    private final RecordingHandler n2 = new RecordingHandler();
    private final RecordingHandler n3 = new RecordingHandler();

    InMemoryPeerNetworkTest() {
        network.transportFor("n1").start(n1);
        network.transportFor("n2").start(n2);
        network.transportFor("n3").start(n3);
    }

    @AfterEach
    void closeNetwork() {
        network.close();
    }

    @Override
    PeerTransport transport(String nodeId) {
        return network.transportFor(nodeId);
    }

    @Override
    RecordingHandler handler(String nodeId) {
        return Map.of("n1", n1, "n2", n2, "n3", n3).get(nodeId);
    }

    @Test
    void deliversOnTheReceiversThreadNeverOnTheSenders() {
        network.transportFor("n1").send(new TimeoutNow("n1", "n2", 1));

        await().until(() -> n2.messages.size() == 1);
        assertThat(n2.deliveryThreads).containsExactly("in-memory-peer-n2");
    }

    @Test
    void deliversInSendOrderBetweenTwoNodes() {
        LongStream.rangeClosed(1, 500)
                .forEach(generation -> network.transportFor("n1").send(new TimeoutNow("n1", "n2", generation)));

        await().until(() -> n2.messages.size() == 500);
        assertThat(n2.messages)
                .extracting(Message::generation)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, 500).boxed().toList());
    }

    @Test
    void anIsolatedNodeNeitherSendsNorReceives() {
        network.isolate("n2");
        network.transportFor("n1").send(new TimeoutNow("n1", "n2", 1));
        network.transportFor("n2").send(new TimeoutNow("n2", "n3", 1));
        network.transportFor("n1").send(new TimeoutNow("n1", "n3", 1));

        await().until(() -> n3.messages.size() == 1);
        assertThat(n3.messages).extracting(Message::from).containsExactly("n1");
        assertThat(n2.messages).isEmpty();
        assertThat(network.droppedMessages()).isEqualTo(2);
    }

    @Test
    void healRestoresEveryLink() {
        network.isolate("n2");
        network.dropBetween("n1", "n3");
        network.heal();
        network.transportFor("n1").send(new TimeoutNow("n1", "n2", 1));
        network.transportFor("n1").send(new TimeoutNow("n1", "n3", 1));

        await().until(() -> n2.messages.size() == 1 && n3.messages.size() == 1);
    }

    @Test
    void dropBetweenCutsOnlyThatLinkInBothDirections() {
        network.dropBetween("n1", "n2");
        network.transportFor("n1").send(new TimeoutNow("n1", "n2", 1));
        network.transportFor("n2").send(new VoteResponse("n2", "n1", 1, false, true));
        network.transportFor("n2").send(new TimeoutNow("n2", "n3", 1));

        await().until(() -> n3.messages.size() == 1);
        assertThat(n1.messages).isEmpty();
        assertThat(n2.messages).isEmpty();
    }

    @Test
    void aRestartedNodeGetsAFreshTransportThatReceivesAgain() {
        network.transportFor("n2").close();
        RecordingHandler restarted = new RecordingHandler();
        PeerTransport fresh = network.transportFor("n2");
        fresh.start(restarted);

        network.transportFor("n1").send(new TimeoutNow("n1", "n2", 8));

        await().until(() -> restarted.messages.size() == 1);
        assertThat(n2.messages).isEmpty();
    }

    @Test
    void aCallAcrossACutLinkIsNotDelivered() {
        network.dropBetween("n1", "n2");

        assertDelivery(
                network.transportFor("n1").call("n2", "propose", new byte[0], TIMEOUT),
                PeerCallException.Delivery.NOT_DELIVERED);
        assertThat(n2.calls).hasValue(0);
    }

    @Test
    void aCallWhoseAnswerIsLostHasAnUnknownOutcome() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CompletableFuture<byte[]> pending = new CompletableFuture<>();
        n2.answering((operation, body) -> {
            received.countDown();
            return pending;
        });
        CompletableFuture<byte[]> call =
                network.transportFor("n1").call("n2", "propose", new byte[0], Duration.ofMillis(300));
        assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();

        network.dropBetween("n1", "n2");
        pending.complete(new byte[] {1});

        assertDelivery(call, PeerCallException.Delivery.MAYBE_DELIVERED);
    }
}
