package dev.replication.testsupport.history;

import org.jspecify.annotations.Nullable;

/**
 * An operation a client performs on one key of a replicated key-value store. Results recorded
 * with {@link History.Pending#ok(Object)}: {@link Read} a {@code String} (null: absent), {@link
 * CompareAndSet} a {@code Boolean}, {@link Write} and {@link Delete} null.
 */
public sealed interface Operation {

    String key();

    /** Unconditional put. */
    record Write(String key, String value) implements Operation {}

    /** Put {@code value} only if the current value equals {@code expected} (null: absent). */
    record CompareAndSet(String key, @Nullable String expected, String value) implements Operation {}

    /** Read the current value. */
    record Read(String key) implements Operation {}

    /** Remove the key. */
    record Delete(String key) implements Operation {}
}
