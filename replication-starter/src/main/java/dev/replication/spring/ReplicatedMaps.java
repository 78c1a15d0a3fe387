package dev.replication.spring;

import dev.replication.api.ReplicatedMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.ResolvableType;

/**
 * The maps declared by the application's {@code @Replicated} injection points, one instance
 * per name. A name is bound to one key type and one value type: declaring it again with other
 * types fails startup, naming both declarations. Maps live here, not as beans, so their names
 * can never collide with the application's bean names.
 */
public final class ReplicatedMaps {

    /** Creates the map for a name and its resolved key and value classes. */
    @FunctionalInterface
    public interface Factory {
        ReplicatedMap<?, ?> create(String name, Class<?> keyType, Class<?> valueType, ResolvableType valueResolvable);
    }

    private final Factory factory;
    private final Map<String, Declared> maps = new ConcurrentHashMap<>();

    public ReplicatedMaps(Factory factory) {
        this.factory = factory;
    }

    /**
     * The map called {@code name} for an injection point of type {@code declaredType} (a
     * {@code ReplicatedMap<K, V>}), described as {@code where} in error messages.
     */
    public ReplicatedMap<?, ?> mapFor(String name, ResolvableType declaredType, String where) {
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("@Replicated at " + where + " has an empty map name; give it a stable name, "
                    + "e.g. @Replicated(\"orders\")");
        }
        if (!ReplicatedMap.class.isAssignableFrom(declaredType.toClass())) {
            throw new IllegalStateException("@Replicated at " + where + " must be declared as ReplicatedMap<K, V>, not "
                    + declaredType);
        }
        ResolvableType mapType = declaredType.as(ReplicatedMap.class);
        ResolvableType key = mapType.getGeneric(0);
        ResolvableType value = mapType.getGeneric(1);
        if (key.resolve() == null || value.resolve() == null) {
            throw new IllegalStateException("@Replicated(\"" + name + "\") at " + where
                    + " must declare concrete key and value types, e.g. ReplicatedMap<String, Order>; found " + declaredType);
        }
        Declared declared = maps.computeIfAbsent(name, ignored -> new Declared(
                key, value, where, factory.create(name, key.toClass(), value.toClass(), value)));
        if (!declared.key.toString().equals(key.toString()) || !declared.value.toString().equals(value.toString())) {
            throw new IllegalStateException("Replicated map '" + name + "' is declared as ReplicatedMap<" + declared.key
                    + ", " + declared.value + "> at " + declared.where + " but as ReplicatedMap<" + key + ", " + value
                    + "> at " + where + "; a map name has one key type and one value type: rename one of them");
        }
        return declared.map;
    }

    /** The names of the maps declared so far. */
    public java.util.Set<String> names() {
        return java.util.Set.copyOf(maps.keySet());
    }

    private record Declared(ResolvableType key, ResolvableType value, String where, ReplicatedMap<?, ?> map) {
    }
}
