package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code replication.peers} parsed, and every mistake in it named precisely. */
class ClusterMembersTest {

    private static ReplicationConfigurationException refused(String peers) {
        ReplicationConfigurationException refused =
                catchThrowableOfType(ReplicationConfigurationException.class, () -> ClusterMembers.parse(peers));
        assertThat(refused).as("replication.peers=%s is refused", peers).isNotNull();
        return refused;
    }

    @Test
    void idsMapToTheirUrlsInTheOrderGivenWithoutATrailingSlash() {
        ClusterMembers members = ClusterMembers.parse("n2=http://b:2/app/, n1=http://a:1");

        assertThat(members.peers())
                .containsExactly(
                        java.util.Map.entry("n2", URI.create("http://b:2/app")),
                        java.util.Map.entry("n1", URI.create("http://a:1")));
    }

    @Test
    void anHttpsUrlIsRefusedBecausePeerTrafficWouldBeSentInCleartext() {
        ReplicationConfigurationException refused = refused("n1=http://a:1,n2=https://b:8443");

        assertThat(refused.description())
                .contains("'https://b:8443'")
                .contains("node 'n2'")
                .contains("no TLS")
                .contains("cleartext");
        assertThat(refused.action()).contains("http://b:8443");
    }

    @Test
    void anotherSchemeIsRefusedNamingHttp() {
        ReplicationConfigurationException refused = refused("n1=ftp://a:1");

        assertThat(refused.description()).contains("'ftp://a:1'").contains("must start with http://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node1:8080", "10.0.0.1:8080", "node1", "localhost:8080/app"})
    void aUrlWithoutASchemeSaysToAddHttp(String url) {
        ReplicationConfigurationException refused = refused("n1=" + url);

        assertThat(refused.description()).contains("'" + url + "'").contains("has no scheme");
        assertThat(refused.action()).contains("add http://").contains("http://" + url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://a:port", "http://a:99999", "http://a:0", "http://a:"})
    void aBadPortIsReportedAsABadPortNotAsAMissingHost(String url) {
        ReplicationConfigurationException refused = refused("n1=" + url);

        assertThat(refused.description())
                .contains("'" + url + "'")
                .contains("port")
                .doesNotContain("has no host");
        assertThat(refused.action()).contains("1 to 65535");
    }

    @Test
    void aUrlWithoutAHostSaysSo() {
        ReplicationConfigurationException refused = refused("n1=http://:8080");

        assertThat(refused.description()).contains("'http://:8080'").contains("has no host");
    }

    @Test
    void aHostNameWithCharactersDnsDoesNotAllowIsNamed() {
        ReplicationConfigurationException refused = refused("n1=http://node_1:8080");

        assertThat(refused.description()).contains("host 'node_1'").doesNotContain("has no host");
    }

    @Test
    void aSemicolonBetweenEntriesSaysEntriesAreSeparatedByCommas() {
        ReplicationConfigurationException refused = refused("n1=http://a:1;n2=http://b:2");

        assertThat(refused.description()).contains("';'").doesNotContain("has no host");
        assertThat(refused.action()).contains("commas").contains("n1=http://a:1,n2=http://b:2");
    }

    @Test
    void aSpaceBetweenEntriesSaysEntriesAreSeparatedByCommas() {
        ReplicationConfigurationException refused = refused("n1=http://a:1 n2=http://b:2");

        assertThat(refused.description()).contains("space").doesNotContain("malformed");
        assertThat(refused.action()).contains("commas");
    }
}
