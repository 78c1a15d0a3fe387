/**
 * Spring integration: auto-configuration, configuration properties, {@code @Replicated}
 * injection, Actuator endpoint, health and metrics, leadership events.
 *
 * <p>The replicated map family lives here too: {@link dev.replication.spring.DefaultReplicatedMap}
 * implements {@link dev.replication.api.ReplicatedMap} over the runtime's
 * {@link dev.replication.runtime.ReplicationGateway} and the local
 * {@link dev.replication.state.KeyValueStateMachine}, serializing keys and values with the
 * application's Jackson mapper; {@link dev.replication.spring.ReplicatedMapRegistry} hands every
 * declaration of a name the same map and refuses a name declared with other types.
 */
package dev.replication.spring;
