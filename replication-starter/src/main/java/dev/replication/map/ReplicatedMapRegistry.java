package dev.replication.map;

import dev.replication.api.ReplicatedMap;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.KeyValueStateMachine;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The replicated maps of one node, by name, and the one way to get one: every injection point of
 * a name gets the same map, and a name declared with other key or value types is refused with a
 * message naming both declarations. Maps live here, not in the application context, so their
 * names never collide with the application's bean names.
 *
 * <p>Thread-safe.
 */
public final class ReplicatedMapRegistry {

    private final JsonMapper mapper;
    private final ReplicationGateway gateway;
    private final KeyValueStateMachine stateMachine;
    private final ReplicatedMapSettings settings;
    private final Map<String, Declaration> declarations = new HashMap<>();

    private record Declaration(JavaType keyType, JavaType valueType, String declaredAt, ReplicatedMap<?, ?> map) {}

    public ReplicatedMapRegistry(
            JsonMapper mapper,
            ReplicationGateway gateway,
            KeyValueStateMachine stateMachine,
            ReplicatedMapSettings settings) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The map named {@code name}, created on first use.
     *
     * @param declaredAt where the map is declared (for example "field OrderService.orders"), for
     *     the error message when another declaration disagrees
     * @throws IllegalStateException when {@code name} was declared before with other types
     */
    @SuppressWarnings("unchecked")
    public synchronized <K, V> ReplicatedMap<K, V> map(String name, Type keyType, Type valueType, String declaredAt) {
        JavaType key = mapper.getTypeFactory().constructType(keyType);
        JavaType value = mapper.getTypeFactory().constructType(valueType);
        Declaration earlier = declarations.get(name);
        if (earlier == null) {
            ReplicatedMap<K, V> map =
                    new DefaultReplicatedMap<>(name, keyType, valueType, mapper, gateway, stateMachine, settings);
            declarations.put(name, new Declaration(key, value, declaredAt, map));
            return map;
        }
        if (!earlier.keyType().equals(key) || !earlier.valueType().equals(value)) {
            throw new IllegalStateException("replicated map '" + name + "' is declared as ReplicatedMap<"
                    + earlier.keyType().toCanonical() + ", "
                    + earlier.valueType().toCanonical() + "> at "
                    + earlier.declaredAt() + " but as ReplicatedMap<" + key.toCanonical() + ", " + value.toCanonical()
                    + "> at " + declaredAt + "; a map name has one key and value type everywhere: use the same"
                    + " types, or give one of them another name");
        }
        return (ReplicatedMap<K, V>) earlier.map();
    }

    /** The names of the maps declared so far, sorted. */
    public synchronized Set<String> names() {
        return new TreeSet<>(declarations.keySet());
    }
}
