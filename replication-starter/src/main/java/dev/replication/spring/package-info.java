/**
 * Spring integration: auto-configuration, configuration properties, {@code @Replicated}
 * injection, Actuator endpoint, health and metrics, leadership events, the default problem
 * details for the starter's exceptions in servlet applications, and the failure analyzer that
 * turns a configuration mistake into one description and one action.
 *
 * <p>This package only wires: the replicated maps themselves come from
 * {@link dev.replication.map.ReplicatedMapRegistry}, which the injection points call with a name
 * and the declared key and value types.
 */
@NullMarked
package dev.replication.spring;

import org.jspecify.annotations.NullMarked;
