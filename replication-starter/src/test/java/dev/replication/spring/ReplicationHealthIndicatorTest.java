package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.transport.InMemoryPeerNetwork;
import dev.replication.transport.PeerTransport;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The details of the {@code replication} health contributor, as an operator reads them. */
class ReplicationHealthIndicatorTest {

    @TempDir
    Path dataDir;

    private ApplicationContextRunner node() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ReplicationAutoConfiguration.class, ReplicationActuatorAutoConfiguration.class))
                .withPropertyValues("replication.data-dir=" + dataDir);
    }

    @Test
    void aNodeThatKnowsNoLeaderLeavesTheLeaderOutInsteadOfShowingTheStringNull() {
        // n1 of three, and nobody else on its network: no leader can be elected.
        InMemoryPeerNetwork network = new InMemoryPeerNetwork();
        node().withPropertyValues(
                        "replication.node-id=n1",
                        "replication.peers=n1=http://127.0.0.1:1,n2=http://127.0.0.1:2,n3=http://127.0.0.1:3",
                        "replication.peer.cluster-secret=a-test-secret-of-enough-length")
                .withBean(PeerTransport.class, () -> network.transportFor("n1"))
                .run(context -> {
                    Health health =
                            context.getBean(ReplicationHealthIndicator.class).health(true);

                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails())
                            .containsEntry(
                                    "reason", "no leader known: an election is in progress or no quorum is reachable");
                    assertThat(health.getDetails()).doesNotContainKey("leaderId");
                });
    }

    @Test
    void aNodeThatKnowsTheLeaderNamesIt() {
        node().run(context -> await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Health health = context.getBean(ReplicationHealthIndicator.class).health(true);

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("leaderId", "local");
        }));
    }
}
