/**
 * Spring integration: auto-configuration, configuration properties, {@code @Replicated}
 * injection, Actuator endpoint, health and metrics, leadership events.
 *
 * <p>This package only wires: the replicated maps themselves come from
 * {@link dev.replication.map.ReplicatedMapRegistry}, which the injection points call with a name
 * and the declared key and value types.
 */
@NullMarked
package dev.replication.spring;

import org.jspecify.annotations.NullMarked;
