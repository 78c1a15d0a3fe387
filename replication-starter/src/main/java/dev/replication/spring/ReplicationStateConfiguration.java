package dev.replication.spring;

import dev.replication.state.KeyValueStateMachine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The replicated state and the application-facing maps over it. */
@Configuration(proxyBeanMethods = false)
class ReplicationStateConfiguration {

    @Bean
    KeyValueStateMachine replicationStateMachine(ReplicationProperties properties) {
        return new KeyValueStateMachine(properties.getIdempotencyRetention());
    }
}
