package dev.replication.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a replicated map on a field or constructor parameter of any bean:
 *
 * <pre>{@code
 * @Replicated("inventory")
 * ReplicatedMap<String, Item> items;
 * }</pre>
 *
 * <p>The map is identified by its name and its generic key and value types; every injection
 * point with the same name must declare the same types, otherwise startup fails. Replicated maps
 * are not beans: this annotation is deliberately not a {@code @Qualifier}, so a map name never
 * collides with, or resolves to, one of the application's own beans.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface Replicated {

    /**
     * The map's name, the same on every node of the cluster. Names are case-sensitive; use a
     * stable name, because renaming it starts an empty map.
     */
    String value();
}
