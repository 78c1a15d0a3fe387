package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterCredentialTest {

    private static final String SECRET = "correct horse battery staple";
    private static final byte[] BODY = "entries".getBytes(StandardCharsets.UTF_8);
    private static final Set<String> PEERS_OF_N2 = Set.of("n1", "n3");

    private final Clock now = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);
    private final ClusterCredential n1 = credential("c1", SECRET, now);
    private final ClusterCredential n2 = credential("c1", SECRET, now);

    @Test
    void aSignedRequestIsVerifiedAsComingFromItsSender() {
        Map<String, String> headers = n1.sign("n1", "n2", "messages", BODY);
        assertThat(n2.verify(headers::get, "n2", PEERS_OF_N2, "messages", BODY)).isEqualTo("n1");
    }

    @Test
    void aMissingCredentialIsUnauthorized() {
        assertRefused(Map.of(), 401, "without the X-Replication-Sender header");
    }

    @Test
    void aSignatureMadeWithAnotherSecretIsUnauthorized() {
        Map<String, String> headers =
                credential("c1", "another secret of some length", now).sign("n1", "n2", "messages", BODY);
        assertRefused(headers, 401, "invalid signature");
    }

    @Test
    void aTamperedBodyIsUnauthorized() {
        Map<String, String> headers = n1.sign("n1", "n2", "messages", BODY);
        assertThatThrownBy(() -> n2.verify(
                        headers::get, "n2", PEERS_OF_N2, "messages", "other".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PeerAuthenticationException.class)
                .hasMessageContaining("invalid signature");
    }

    @Test
    void aBodySignedForOneEndpointIsUnauthorizedOnAnother() {
        Map<String, String> headers = n1.sign("n1", "n2", "messages", BODY);
        assertThatThrownBy(() -> n2.verify(headers::get, "n2", PEERS_OF_N2, "call/propose", BODY))
                .isInstanceOf(PeerAuthenticationException.class)
                .hasMessageContaining("invalid signature");
    }

    @Test
    void aReplayedRequestIsUnauthorized() {
        Map<String, String> headers = n1.sign("n1", "n2", "messages", BODY);
        n2.verify(headers::get, "n2", PEERS_OF_N2, "messages", BODY);
        assertRefused(headers, 401, "replayed");
    }

    @Test
    void aTimestampOutsideTheClockWindowIsUnauthorized() {
        Clock late = Clock.offset(now, Duration.ofSeconds(31));
        Map<String, String> headers = credential("c1", SECRET, late).sign("n1", "n2", "messages", BODY);
        assertRefused(headers, 401, "outside the accepted window of 30000 ms");
    }

    @Test
    void aTimestampWithinTheClockWindowIsAccepted() {
        Clock slightlyBehind = Clock.offset(now, Duration.ofSeconds(-29));
        Map<String, String> headers = credential("c1", SECRET, slightlyBehind).sign("n1", "n2", "messages", BODY);
        assertThat(n2.verify(headers::get, "n2", PEERS_OF_N2, "messages", BODY)).isEqualTo("n1");
    }

    @Test
    void aSenderNotAmongTheConfiguredPeersIsForbidden() {
        Map<String, String> headers = n1.sign("n9", "n2", "messages", BODY);
        assertRefused(headers, 403, "'n9' is not a configured peer");
    }

    @Test
    void aRequestForAnotherClusterIsAConflictNamingBothClusters() {
        Map<String, String> headers = credential("c2", SECRET, now).sign("n1", "n2", "messages", BODY);
        assertRefused(headers, 409, "for cluster 'c2' but node n2 belongs to cluster 'c1'");
    }

    @Test
    void aRequestForAnotherNodeIsMisdirected() {
        Map<String, String> headers = n1.sign("n1", "n3", "messages", BODY);
        assertRefused(headers, 421, "addressed to node 'n3' but reached node 'n2'");
    }

    @Test
    void noRefusalRevealsTheSecretOrTheExpectedSignature() {
        Map<String, String> headers = new HashMap<>(n1.sign("n1", "n2", "messages", BODY));
        headers.put(ClusterCredential.SIGNATURE_HEADER, "forged");
        String expected = n1.sign("n1", "n2", "messages", BODY).get(ClusterCredential.SIGNATURE_HEADER);
        assertThatThrownBy(() -> n2.verify(headers::get, "n2", PEERS_OF_N2, "messages", BODY))
                .message()
                .doesNotContain(SECRET)
                .doesNotContain(expected);
        assertThat(n2.toString()).doesNotContain(SECRET);
    }

    private void assertRefused(Map<String, String> headers, int status, String reason) {
        assertThatThrownBy(() -> n2.verify(headers::get, "n2", PEERS_OF_N2, "messages", BODY))
                .isInstanceOfSatisfying(
                        PeerAuthenticationException.class,
                        refused -> assertThat(refused.status()).isEqualTo(status))
                .hasMessageContaining(reason);
    }

    private static ClusterCredential credential(String clusterId, String secret, Clock clock) {
        return new ClusterCredential(clusterId, ClusterSecret.of(secret), Duration.ofSeconds(30), clock);
    }
}
