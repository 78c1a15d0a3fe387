package dev.replication.spring;

import dev.replication.map.ReplicatedMapRegistry;
import dev.replication.map.ReplicatedMapSettings;
import dev.replication.runtime.ReplicationNode;
import dev.replication.state.IdempotencyLimits;
import dev.replication.state.KeyValueStateMachine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The replicated state and the application-facing maps over it. */
@Configuration(proxyBeanMethods = false)
class ReplicationStateConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KeyValueStateMachine replicationStateMachine(ReplicationProperties properties) {
        MapProperties map = properties.getMap();
        IdempotencyLimits limits;
        try {
            limits = new IdempotencyLimits(
                    map.getIdempotencyRetention(),
                    map.getIdempotencyMaxKeys(),
                    map.getMaxSessionSize().toBytes());
        } catch (IllegalArgumentException invalid) {
            throw new ReplicationConfigurationException(
                    String.valueOf(invalid.getMessage()),
                    "Set replication.map.idempotency-retention, idempotency-max-keys and max-session-size to"
                            + " positive values (the leader's values apply to the whole cluster)",
                    invalid);
        }
        return new KeyValueStateMachine(limits);
    }

    /**
     * Values are serialized with the application's own Jackson mapper when it has one, so
     * they look in the log as they look in its JSON APIs.
     */
    @Bean
    @ConditionalOnMissingBean
    ReplicatedMapRegistry replicatedMapRegistry(
            ObjectProvider<JsonMapper> mapper,
            ReplicationNode node,
            KeyValueStateMachine stateMachine,
            ReplicationProperties properties) {
        return new ReplicatedMapRegistry(
                mapper.getIfAvailable(JsonMapper::new), node, stateMachine, mapSettings(properties.getMap()));
    }

    /** The one place the map settings are read from replication.map.*. */
    static ReplicatedMapSettings mapSettings(MapProperties map) {
        try {
            return new ReplicatedMapSettings(
                    map.getWriteTimeout(),
                    map.getReadTimeout(),
                    map.getMaxCasAttempts(),
                    (int) map.getMaxKeySize().toBytes(),
                    (int) map.getMaxValueSize().toBytes());
        } catch (IllegalArgumentException invalid) {
            throw new ReplicationConfigurationException(
                    "replication.map.* is invalid: " + invalid.getMessage(),
                    "Set replication.map.write-timeout and read-timeout to positive durations and"
                            + " replication.map.max-cas-attempts to at least 1",
                    invalid);
        }
    }
}
