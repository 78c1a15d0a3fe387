package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSecretTest {

    private static final String SECRET = "a-long-enough-cluster-secret";

    @Test
    void aMultiNodeClusterWithoutASecretRefusesToStart() {
        assertThatThrownBy(() ->
                        ClusterSecret.requireForCluster("n1", List.of("n1", "n2", "n3"), ClusterSecret.none(), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no replication.peer.cluster-secret")
                .hasMessageContaining("[n2, n3]");
    }

    @Test
    void aMultiNodeClusterWithoutASecretStartsWhenInsecurePeersAreAllowed() {
        assertThatCode(() -> ClusterSecret.requireForCluster("n1", List.of("n1", "n2"), ClusterSecret.none(), true))
                .doesNotThrowAnyException();
    }

    @Test
    void aSingleNodeNeedsNoSecret() {
        assertThatCode(() -> ClusterSecret.requireForCluster("n1", List.of("n1"), ClusterSecret.none(), false))
                .doesNotThrowAnyException();
    }

    @Test
    void aShortSecretIsRefusedForAMultiNodeCluster() {
        assertThatThrownBy(() ->
                        ClusterSecret.requireForCluster("n1", List.of("n1", "n2"), ClusterSecret.of("tiny-pw"), false))
                .hasMessageContaining("shorter than 16 bytes")
                .message()
                .doesNotContain("tiny-pw");
    }

    @Test
    void aBlankSecretMeansNone() {
        assertThat(ClusterSecret.of("  ").isPresent()).isFalse();
    }

    @Test
    void theSecretNeverAppearsInToStringOfTheSecretOrTheSettings() {
        ClusterSecret secret = ClusterSecret.of(SECRET);
        PeerTransportSettings settings =
                PeerTransportSettings.of("n1", "c1", Map.of("n2", URI.create("http://localhost:1")), secret);
        assertThat(secret.toString()).doesNotContain(SECRET);
        assertThat(settings.toString()).doesNotContain(SECRET).contains("ClusterSecret[****]");
    }
}
