package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.api.LeaderOnly;
import dev.replication.api.Leadership;
import dev.replication.runtime.NodeMetrics;
import dev.replication.runtime.ReplicationNode;
import dev.replication.transport.InMemoryPeerNetwork;
import dev.replication.transport.PeerTransport;
import dev.replication.transport.servlet.PeerEndpoint;
import dev.replication.transport.servlet.PeerHttp2Tuning;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * Which beans an application may replace, and what the starter does with and without a servlet
 * web server.
 */
class ReplicationBeanConditionsTest {

    private static final String THREE_NODES =
            "replication.peers=n1=http://127.0.0.1:1,n2=http://127.0.0.1:2," + "n3=http://127.0.0.1:3";
    private static final String SECRET = "replication.peer.cluster-secret=a-test-secret-of-enough-length";

    private static final AutoConfigurations STARTER = AutoConfigurations.of(
            ReplicationAutoConfiguration.class,
            ReplicationActuatorAutoConfiguration.class,
            ReplicationMetricsAutoConfiguration.class);

    @TempDir
    Path dataDir;

    private ApplicationContextRunner plain() {
        return new ApplicationContextRunner()
                .withConfiguration(STARTER)
                .withPropertyValues("replication.data-dir=" + dataDir);
    }

    private WebApplicationContextRunner servlet() {
        return new WebApplicationContextRunner()
                .withConfiguration(STARTER)
                .withPropertyValues("replication.data-dir=" + dataDir);
    }

    /** Leads or not as the test says. */
    static final class FixedLeadership implements Leadership {
        private final boolean leader;

        FixedLeadership(boolean leader) {
            this.leader = leader;
        }

        @Override
        public String nodeId() {
            return "fixed";
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public Optional<String> leaderId() {
            return leader ? Optional.of("fixed") : Optional.empty();
        }

        @Override
        public long generation() {
            return 7;
        }
    }

    static class LeaderOnlyJob {
        private final AtomicInteger runs = new AtomicInteger();

        @LeaderOnly
        public void run() {
            runs.incrementAndGet();
        }

        public int runs() {
            return runs.get();
        }
    }

    @Test
    void anApplicationsOwnLeadershipReplacesTheNodesAndDecidesLeaderOnlyCalls() {
        plain().withBean(Leadership.class, () -> new FixedLeadership(false))
                .withBean(LeaderOnlyJob.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(Leadership.class);
                    assertThat(context.getBean(Leadership.class)).isInstanceOf(FixedLeadership.class);

                    context.getBean(LeaderOnlyJob.class).run();

                    assertThat(context.getBean(LeaderOnlyJob.class).runs()).isZero();
                });
    }

    @Test
    void anApplicationsOwnPeerTransportReplacesTheStartersOnSeveralNodes() {
        InMemoryPeerNetwork network = new InMemoryPeerNetwork();
        plain().withPropertyValues("replication.node-id=n1", THREE_NODES, SECRET)
                .withBean("testTransport", PeerTransport.class, () -> network.transportFor("n1"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(PeerTransport.class)
                        .hasBean("testTransport")
                        .doesNotHaveBean(PeerEndpoint.class));
    }

    @Test
    void anApplicationsOwnMetricsReplaceTheMicrometerOnes() {
        plain().withBean(NodeMetrics.class, () -> NodeMetrics.NONE)
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(NodeMetrics.class)
                        .getBean(NodeMetrics.class)
                        .isSameAs(NodeMetrics.NONE));
    }

    @Test
    void anApplicationsOwnSetupReplacesTheOneReadFromProperties() {
        ReplicationProperties properties = new ReplicationProperties();
        properties.setNodeId("mine");
        properties.setDataDir(dataDir);
        plain().withBean(ReplicationSetup.class, () -> ReplicationSetup.from(properties))
                .run(context -> assertThat(
                                context.getBean(ReplicationNode.class).nodeId())
                        .isEqualTo("mine"));
    }

    @Test
    void anApplicationsOwnHealthIndicatorAndEndpointReplaceTheStartersWhateverTheirNames() {
        plain().withBean("myHealth", ReplicationHealthIndicator.class, () -> new ReplicationHealthIndicator(null, 1))
                .withBean("myEndpoint", ReplicationEndpoint.class, () -> new ReplicationEndpoint(null))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(ReplicationHealthIndicator.class)
                        .hasBean("myHealth")
                        .hasSingleBean(ReplicationEndpoint.class)
                        .hasBean("myEndpoint"));
    }

    @Test
    void aSingleNodeRunsWithoutAWebServer() {
        plain().run(context -> assertThat(context)
                .hasNotFailed()
                .hasSingleBean(ReplicationNode.class)
                .doesNotHaveBean(PeerEndpoint.class)
                .doesNotHaveBean(PeerHttp2Tuning.class));
    }

    @Test
    void severalNodesWithoutAServletWebServerFailSayingWhatIsMissing() {
        plain().withPropertyValues("replication.node-id=n1", THREE_NODES, SECRET)
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(ReplicationConfigurationException.class)
                        .hasMessageContaining("no servlet web server")
                        .hasMessageContaining("spring-boot-starter-webmvc"));
    }

    @Test
    void severalNodesInAServletWebApplicationServeThePeerEndpointOnTunedTomcat() {
        servlet()
                .withPropertyValues("replication.node-id=n1", THREE_NODES, SECRET)
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(PeerEndpoint.class)
                        .hasSingleBean(PeerHttp2Tuning.class));
    }

    @Test
    void anApplicationsOwnTomcatTuningReplacesTheStarters() {
        PeerHttp2Tuning mine = new PeerHttp2Tuning();
        servlet()
                .withPropertyValues("replication.node-id=n1", THREE_NODES, SECRET)
                .withBean(PeerHttp2Tuning.class, () -> mine)
                .run(context ->
                        assertThat(context.getBean(PeerHttp2Tuning.class)).isSameAs(mine));
    }
}
