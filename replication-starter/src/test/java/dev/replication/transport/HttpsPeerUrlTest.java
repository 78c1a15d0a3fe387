package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The transport has no TLS yet: an {@code https://} peer URL would be sent cleartext HTTP/2, so
 * the transport itself refuses it, whoever builds it (not only the starter's property check).
 */
class HttpsPeerUrlTest {

    @Test
    void anHttpsPeerUrlIsRefusedWhenTheTransportIsBuiltSayingThereIsNoTls() {
        Map<String, URI> peers = Map.of(
                "n1", URI.create("http://127.0.0.1:9"),
                "n2", URI.create("https://127.0.0.1:8443"));
        PeerTransportSettings settings =
                PeerTransportSettings.of("n1", "test-cluster", peers, ClusterSecret.of(PeerNodeConfiguration.SECRET));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Http2PeerTransport(settings).close())
                .withMessageContaining("n2")
                .withMessageContaining("https://")
                .withMessageContaining("no TLS");
    }

    @Test
    void anHttpsPeerUrlIsRefusedWhenThePeersChangeLater() throws Exception {
        Map<String, URI> peers =
                Map.of("n1", URI.create("http://127.0.0.1:9"), "n2", URI.create("http://127.0.0.1:10"));
        try (Http2PeerTransport transport = new Http2PeerTransport(PeerTransportSettings.of(
                "n1", "test-cluster", peers, ClusterSecret.of(PeerNodeConfiguration.SECRET)))) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> transport.updatePeers(Map.of("n3", URI.create("https://127.0.0.1:8443"))))
                    .withMessageContaining("no TLS");
        }
    }
}
