/**
 * The {@link dev.replication.api.ReplicatedMap} engine, behind one factory:
 * {@link dev.replication.map.ReplicatedMapRegistry} hands every declaration of a name the same map
 * and refuses a name declared with other types; {@link dev.replication.map.ReplicatedMapSettings}
 * says how its maps wait and retry. Everything else here is package-private: the map over the
 * runtime's {@link dev.replication.runtime.ReplicationGateway} (writes) and the local
 * {@link dev.replication.state.KeyValueStateMachine} (reads), the codecs of keys and values (the
 * application's Jackson mapper), the compare-and-set loop of the atomic operations, the translation
 * of the runtime's failures into the api's exceptions, and the read-only bulk views.
 *
 * <p>Sits beside {@code runtime}: it may use {@code api}, {@code runtime}, {@code state} and
 * {@code core}, and Jackson, never Spring, so the spring layer stays the only place that wires.
 */
@NullMarked
package dev.replication.map;

import org.jspecify.annotations.NullMarked;
