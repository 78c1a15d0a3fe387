package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.log.FsyncPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The replication.* properties as an operator meets them: in the IDE's metadata and from the environment. */
class ReplicationPropertiesTest {

    @Test
    void everyReplicationPropertyHasAPlainTextDescriptionInTheMetadata() throws IOException {
        List<JsonNode> properties = replicationMetadata("properties");

        assertThat(properties)
                .extracting(property -> property.get("name").asString())
                .contains(
                        "replication.peers",
                        "replication.election.timeout",
                        "replication.log.fsync-policy",
                        "replication.pipeline.max-inflight-appends",
                        "replication.map.write-timeout",
                        "replication.peer.cluster-secret");
        for (JsonNode property : properties) {
            String name = property.get("name").asString();
            assertThat(property.get("description")).as("description of " + name).isNotNull();
            assertPlainText(name, property.get("description").asString());
        }
    }

    @Test
    void groupDescriptionsAreAlsoPlainText() throws IOException {
        List<JsonNode> groups = replicationMetadata("groups");

        assertThat(groups)
                .extracting(group -> group.get("name").asString())
                .contains(
                        "replication.election",
                        "replication.log",
                        "replication.pipeline",
                        "replication.map",
                        "replication.peer");
        for (JsonNode group : groups) {
            if (group.has("description")) {
                assertPlainText(
                        group.get("name").asString(), group.get("description").asString());
            }
        }
    }

    private static void assertPlainText(String name, String description) {
        assertThat(description)
                .as("description of " + name)
                .isNotBlank()
                .doesNotContain("{@")
                .doesNotContain("&lt;")
                .doesNotContain("<");
    }

    @Test
    void nestedPropertiesBindFromEnvironmentVariables() {
        StandardEnvironment environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .replace(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of(
                                        "REPLICATION_PEERS", "n1=http://a:1,n2=http://b:1",
                                        "REPLICATION_NODE_ID", "n1",
                                        "REPLICATION_PEER_CLUSTER_SECRET", "an-environment-secret",
                                        "REPLICATION_ELECTION_TIMEOUT", "3s",
                                        "REPLICATION_LOG_FSYNC_POLICY", "interval",
                                        "REPLICATION_MAP_MAX_VALUE_SIZE", "2MB")));

        ReplicationProperties properties = new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("replication", ReplicationProperties.class);

        assertThat(properties.getPeers()).isEqualTo("n1=http://a:1,n2=http://b:1");
        assertThat(properties.getNodeId()).isEqualTo("n1");
        assertThat(properties.getPeer().getClusterSecret()).isEqualTo("an-environment-secret");
        assertThat(properties.getElection().getTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(properties.getLog().getFsyncPolicy()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(properties.getMap().getMaxValueSize()).isEqualTo(DataSize.ofMegabytes(2));
    }

    /** One section (groups or properties) of the generated metadata, entries under replication only. */
    private static List<JsonNode> replicationMetadata(String section) throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        for (URL url : Collections.list(ReplicationPropertiesTest.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode entry : new JsonMapper().readTree(in).path(section)) {
                    if (entry.get("name").asString().startsWith("replication.")) {
                        entries.add(entry);
                    }
                }
            }
        }
        return entries;
    }
}
