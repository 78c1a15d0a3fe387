package dev.replication.transport;

import static dev.replication.transport.PeerTransportContract.assertDelivery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.TimeoutNow;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Node n1 (a transport only) with one live peer, n2, and two dead ones: n3 accepts TCP
 * connections but never answers (a hung process), n4 refuses them (a stopped process).
 */
class DeadPeerTest {

    private static PeerNode n2;
    private static ServerSocket hungPeer;
    private static int refusingPort;
    private static Http2PeerTransport n1;

    @BeforeAll
    static void startPeers() throws IOException {
        n2 = PeerNode.start(PeerNodeApplication.class, "n2");
        hungPeer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        refusingPort = freePort();
        Map<String, URI> peers = Map.of(
                "n1", URI.create("http://127.0.0.1:9"),
                "n2", n2.uri(),
                "n3", URI.create("http://127.0.0.1:" + hungPeer.getLocalPort()),
                "n4", URI.create("http://127.0.0.1:" + refusingPort));
        n2.transport().updatePeers(peers);
        n1 = new Http2PeerTransport(
                PeerTransportSettings.of("n1", "test-cluster", peers, ClusterSecret.of(PeerNodeConfiguration.SECRET))
                        .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2))
                        .withQueueCapacity(64));
        n1.start(new RecordingHandler());
    }

    @AfterAll
    static void stopPeers() throws IOException {
        n1.close();
        n2.close();
        hungPeer.close();
    }

    @Test
    void deadPeersNeitherBlockTheSenderNorDelayALivePeer() {
        for (int wave = 0; wave < 20; wave++) {
            int before = n2.handler.from("n1").size();
            for (int i = 0; i < 50; i++) {
                long generation = wave * 50L + i;
                n1.send(new TimeoutNow("n1", "n2", generation));
                n1.send(new TimeoutNow("n1", "n3", generation));
                n1.send(new TimeoutNow("n1", "n4", generation));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> n2.handler.from("n1").size() == before + 50);
        }

        assertThat(n1.droppedMessages("n2")).isZero();
        assertThat(n1.droppedMessages("n3")).isPositive();
        assertThat(n1.droppedMessages("n4")).isPositive();
    }

    @Test
    void aCallToAPeerThatRefusesConnectionsIsNotDelivered() {
        assertDelivery(
                n1.call("n4", "propose", new byte[] {1}, Duration.ofSeconds(5)),
                PeerCallException.Delivery.NOT_DELIVERED);
    }

    @Test
    void aCallToAPeerThatNeverAnswersHasAnUnknownOutcome() {
        assertDelivery(
                n1.call("n3", "propose", new byte[] {1}, Duration.ofMillis(500)),
                PeerCallException.Delivery.MAYBE_DELIVERED);
    }

    @Test
    void aPeerThatStartsLateIsReachedAfterReconnecting() throws IOException {
        int port = freePort();
        n1.updatePeers(Map.of(
                "n2",
                n2.uri(),
                "n3",
                URI.create("http://127.0.0.1:" + hungPeer.getLocalPort()),
                "n4",
                URI.create("http://127.0.0.1:" + refusingPort),
                "n5",
                URI.create("http://127.0.0.1:" + port)));
        n1.send(new TimeoutNow("n1", "n5", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> n1.droppedMessages("n5") > 0);

        try (PeerNode n5 = PeerNode.start(PeerNodeApplication.class, "n5", "server.port=" + port)) {
            n5.transport().updatePeers(Map.of("n1", URI.create("http://127.0.0.1:9"), "n5", n5.uri()));
            // Like the core's heartbeats: keep sending until one gets through.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                n1.send(new TimeoutNow("n1", "n5", 2));
                return !n5.handler.from("n1").isEmpty();
            });
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
