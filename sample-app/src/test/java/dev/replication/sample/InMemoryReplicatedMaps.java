package dev.replication.sample;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

/**
 * Supplies the sample's two maps as {@link InMemoryReplicatedMap}s, for web tests without a
 * cluster. Tests using it set {@code replication.enabled=false}, so the starter starts no node and
 * does not resolve {@code @Replicated} itself; the beans are then injected by their generic type.
 */
@TestConfiguration(proxyBeanMethods = false)
class InMemoryReplicatedMaps {

    @Bean
    InMemoryReplicatedMap<JsonNode> keyValueEntries() {
        return new InMemoryReplicatedMap<>("kv");
    }

    @Bean
    InMemoryReplicatedMap<LeaderHeartbeat.Beat> leaderHeartbeats() {
        return new InMemoryReplicatedMap<>("leader-heartbeat");
    }
}
