package dev.replication.spring;

import dev.replication.api.Leadership;
import dev.replication.api.LeadershipGrantedEvent;
import dev.replication.api.LeadershipRevokedEvent;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.NodeMetrics;
import dev.replication.runtime.NodeSettings;
import dev.replication.runtime.ReplicationNode;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.transport.PeerTransport;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Starts a replication node in the application: reads {@code replication.*}, opens the data
 * directory and its write-ahead log, connects to the peers, and injects {@code @Replicated}
 * maps. Switched off with {@code replication.enabled=false}.
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
    Leadership replicationLeadership(ObjectProvider<ReplicationNode> node) {
        return new NodeLeadership(node);
    }

    @Bean
    ReplicationSetup replicationSetup(ReplicationProperties properties) {
        return ReplicationSetup.from(properties);
    }

    @Bean(destroyMethod = "close")
    NodeStorage replicationNodeStorage(ReplicationSetup setup) {
        return NodeStorage.open(setup);
    }

    @Bean(destroyMethod = "")
    ReplicationNode replicationNode(ReplicationSetup setup, NodeStorage storage, PeerTransport peerTransport,
            KeyValueStateMachine stateMachine, ApplicationEventPublisher events,
            ObjectProvider<NodeMetrics> metrics) {
        NodeSettings settings = setup.nodeSettings();
        return new ReplicationNode(settings, storage.log(), storage.hardState(), peerTransport, stateMachine,
                leadershipEvents(settings.nodeId(), events), metrics.getIfAvailable(() -> NodeMetrics.NONE));
    }

    @Bean
    ReplicationNodeLifecycle replicationNodeLifecycle(ReplicationNode node) {
        return new ReplicationNodeLifecycle(node);
    }

    /**
     * Publishes leadership events in order on one thread of their own, so a slow listener never
     * stalls replication; a revocation is never skipped.
     */
    private static Consumer<RoleState> leadershipEvents(String nodeId, ApplicationEventPublisher events) {
        Executor executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "replication-events-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        boolean[] leading = {false};
        long[] generation = {0};
        return state -> executor.execute(() -> {
            boolean nowLeading = state.role() == Role.LEADER;
            if (leading[0] && (!nowLeading || state.generation() != generation[0])) {
                events.publishEvent(new LeadershipRevokedEvent(nodeId, nodeId, generation[0]));
                leading[0] = false;
            }
            if (nowLeading && !leading[0]) {
                leading[0] = true;
                generation[0] = state.generation();
                events.publishEvent(new LeadershipGrantedEvent(nodeId, nodeId, state.generation()));
            }
        });
    }

    /** Starts the node once the context is refreshed and stops it, bounded, at shutdown. */
    static final class ReplicationNodeLifecycle implements SmartLifecycle {
        private final ReplicationNode node;
        private volatile boolean running;

        ReplicationNodeLifecycle(ReplicationNode node) {
            this.node = node;
        }

        @Override
        public void start() {
            node.start();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
            node.close();
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
