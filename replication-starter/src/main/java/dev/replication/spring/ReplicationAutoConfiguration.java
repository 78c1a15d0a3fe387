package dev.replication.spring;

import dev.replication.api.Leadership;
import dev.replication.runtime.NodeMetrics;
import dev.replication.runtime.ReplicationNode;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.transport.PeerTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Starts a replication node in the application: reads {@code replication.*}, opens the data
 * directory and its write-ahead log, connects to the peers, and injects {@code @Replicated}
 * maps. Switched off with {@code replication.enabled=false}.
 *
 * <p>Every bean an application may want to supply itself ({@link Leadership}, the setup, the
 * storage, the node, the peer transport, the state machine, the metrics, the Actuator beans)
 * backs off when one of its type is defined. Left out on purpose: the post-processors behind
 * {@code @Replicated} and {@code @LeaderOnly} (replacing them breaks the annotations rather
 * than changing them; switch the starter off instead), the leadership-event bridge and the
 * node's lifecycle (internal plumbing between the node and the context).
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "replication.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReplicationProperties.class)
@Import({ReplicationTransportConfiguration.class, ReplicationStateConfiguration.class})
public final class ReplicationAutoConfiguration {

    @Bean
    static ReplicatedInjection.ResolverInstaller replicatedParameterResolverInstaller() {
        return new ReplicatedInjection.ResolverInstaller();
    }

    @Bean
    static ReplicatedInjection.FieldInjector replicatedFieldInjector() {
        return new ReplicatedInjection.FieldInjector();
    }

    @Bean
    static NodeLeadership.LeaderOnlyPostProcessor replicationLeaderOnlyPostProcessor(
            ObjectProvider<Leadership> leadership) {
        return new NodeLeadership.LeaderOnlyPostProcessor(leadership);
    }

    @Bean
    @ConditionalOnMissingBean
    Leadership replicationLeadership(ObjectProvider<ReplicationNode> node) {
        return new NodeLeadership(node);
    }

    @Bean
    @ConditionalOnMissingBean
    ReplicationSetup replicationSetup(ReplicationProperties properties) {
        return ReplicationSetup.from(properties);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    NodeStorage replicationNodeStorage(ReplicationSetup setup) {
        return NodeStorage.open(setup);
    }

    @Bean(destroyMethod = "")
    LeadershipEvents replicationLeadershipEvents(ReplicationSetup setup, ApplicationEventPublisher events) {
        return new LeadershipEvents(setup.nodeId(), events);
    }

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    ReplicationNode replicationNode(
            ReplicationSetup setup,
            NodeStorage storage,
            PeerTransport peerTransport,
            KeyValueStateMachine stateMachine,
            LeadershipEvents leadershipEvents,
            ObjectProvider<NodeMetrics> metrics) {
        return new ReplicationNode(
                setup.nodeSettings(),
                storage.log(),
                storage.hardState(),
                peerTransport,
                stateMachine,
                leadershipEvents,
                metrics.getIfAvailable(() -> NodeMetrics.NONE),
                storage.snapshotStorage(stateMachine));
    }

    @Bean
    ReplicationNodeLifecycle replicationNodeLifecycle(
            ReplicationNode node, LeadershipEvents leadershipEvents, ReplicationSetup setup) {
        return new ReplicationNodeLifecycle(node, leadershipEvents, setup);
    }

    /** Starts the node once the context is refreshed and stops it, bounded, at shutdown. */
    static final class ReplicationNodeLifecycle implements SmartLifecycle {
        private static final Logger log = LoggerFactory.getLogger(ReplicationNodeLifecycle.class);

        private final ReplicationNode node;
        private final LeadershipEvents leadershipEvents;
        private final ReplicationSetup setup;
        private volatile boolean running;

        ReplicationNodeLifecycle(ReplicationNode node, LeadershipEvents leadershipEvents, ReplicationSetup setup) {
            this.node = node;
            this.leadershipEvents = leadershipEvents;
            this.setup = setup;
        }

        @Override
        public void start() {
            log.info(setup.startupSummary());
            node.start();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
            node.close();
            // A leader that stops says so: listeners stop their leader-only work.
            leadershipEvents.close();
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            // Before the web server (which starts last) so peers can reach a node that is
            // ready, and stopped after it, once no request can reach the node any more.
            return SmartLifecycle.DEFAULT_PHASE - 2048;
        }
    }
}
