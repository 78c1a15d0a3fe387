package dev.replication.spring;

import dev.replication.map.ReplicatedMapRegistry;
import dev.replication.map.ReplicatedMapSettings;
import dev.replication.runtime.ReplicationNode;
import dev.replication.state.KeyValueStateMachine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The replicated state and the application-facing maps over it. */
@Configuration(proxyBeanMethods = false)
class ReplicationStateConfiguration {

    @Bean
    KeyValueStateMachine replicationStateMachine(ReplicationProperties properties) {
        return new KeyValueStateMachine(properties.getIdempotencyRetention());
    }

    /**
     * Values are serialized with the application's own Jackson mapper when it has one, so
     * they look in the log as they look in its JSON APIs.
     */
    @Bean
    ReplicatedMapRegistry replicatedMapRegistry(ObjectProvider<JsonMapper> mapper, ReplicationNode node,
            KeyValueStateMachine stateMachine, ReplicationProperties properties) {
        return new ReplicatedMapRegistry(mapper.getIfAvailable(JsonMapper::new), node, stateMachine,
                new ReplicatedMapSettings(properties.getWriteTimeout(), properties.getReadTimeout(),
                        properties.getMaxCasAttempts(), (int) properties.getMaxKeySize().toBytes(),
                        (int) properties.getMaxValueSize().toBytes()));
    }
}
