package dev.replication.runtime;

import dev.replication.transport.InMemoryPeerNetwork;
import dev.replication.transport.PeerTransport;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.env.Environment;

/** The cluster suite over the in-memory network. */
class InMemoryReplicationClusterTest extends ReplicationClusterSuite {

    static final InMemoryPeerNetwork NETWORK = new InMemoryPeerNetwork();

    @Configuration(proxyBeanMethods = false)
    static class InMemoryTransport {
        // After the data directory is locked: a node refused for its directory must not take
        // over the running node's place on the network.
        @Bean
        @DependsOn("replicationNodeStorage")
        PeerTransport peerTransport(Environment environment) {
            return NETWORK.transportFor(environment.getRequiredProperty("replication.node-id"));
        }
    }

    @Override
    Map<String, Object> transportProperties(String nodeId) {
        return Map.of(
                "replication.peers", "n1=http://n1.invalid,n2=http://n2.invalid,n3=http://n3.invalid",
                "replication.peer.allow-insecure", "true");
    }

    @Override
    Class<?>[] transportConfiguration() {
        return new Class<?>[] {InMemoryTransport.class};
    }

    @Override
    boolean web() {
        return false;
    }

    @Override
    void isolate(String nodeId) {
        NETWORK.isolate(nodeId);
    }

    @Override
    void heal() {
        NETWORK.heal();
    }

    @AfterAll
    static void closeNetwork() {
        NETWORK.close();
    }
}
