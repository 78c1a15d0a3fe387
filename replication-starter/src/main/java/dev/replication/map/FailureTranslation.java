package dev.replication.map;

import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicationException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.VersionConflictException;
import dev.replication.state.StateResult;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The one place that decides what a map call reports when the runtime's answer is not a plain
 * success: it waits for the gateway's futures and turns their failures, and the state machine's
 * refusals, into the api's exceptions. Each exception says whether the write may have happened
 * ("not applied" only when it certainly never entered a log, otherwise "outcome unknown"), so
 * callers know whether a retry is safe.
 */
final class FailureTranslation {

    /** How much longer than the runtime's own timeout a caller waits, so the runtime's answer wins. */
    static final Duration AWAIT_GRACE = Duration.ofSeconds(1);

    private static final int MAX_KEY_IN_MESSAGE = 80;

    private final String mapName;
    private final Duration writeTimeout;
    private final Duration readTimeout;

    FailureTranslation(String mapName, Duration writeTimeout, Duration readTimeout) {
        this.mapName = mapName;
        this.writeTimeout = writeTimeout;
        this.readTimeout = readTimeout;
    }

    /**
     * Waits for a write's answer. Returns APPLIED and VERSION_CONFLICT results; every other
     * outcome becomes the exception that says whether the write may have happened.
     */
    StateResult awaitWrite(CompletableFuture<byte[]> answer, @Nullable String idempotencyKey, Object key) {
        byte[] bytes;
        try {
            bytes = answer.get(writeTimeout.plus(AWAIT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException(
                    "interrupted while waiting for a write to replicated map '" + mapName
                            + "' (key '" + describe(key)
                            + "'); it may still be applied. Read the key before retrying, or retry"
                            + " with an idempotency key",
                    e);
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException(
                    "a write to replicated map '" + mapName + "' (key '" + describe(key)
                            + "') got no answer within " + writeTimeout + "; it may still be applied. Read the key"
                            + " before retrying, or retry with an idempotency key",
                    e);
        } catch (ExecutionException e) {
            throw writeFailure(e.getCause(), key);
        }
        StateResult result = StateResult.decode(bytes);
        return switch (result.status()) {
            case APPLIED, VERSION_CONFLICT -> result;
            // Only a write that carried a key can conflict on it.
            case IDEMPOTENCY_KEY_CONFLICT ->
                throw new IdempotencyKeyConflictException(
                        "replicated map '" + mapName
                                + "': " + result.detail()
                                + "; this request was not applied. Use a new idempotency key for a new"
                                + " request",
                        Objects.requireNonNull(idempotencyKey, "idempotencyKey"));
            case ANSWER_DISCARDED ->
                throw new OutcomeUnknownException("replicated map '" + mapName + "' (key '"
                        + describe(key) + "'): " + result.detail()
                        + "; whether this write was applied is unknown. Read the"
                        + " key before retrying");
            case SEQUENCE_REUSED, MALFORMED ->
                throw new ReplicationException(
                        "replicated map '" + mapName + "' (key '"
                                + describe(key) + "'): the cluster refused the write: " + result.detail()
                                + ". This is a bug in the"
                                + " replication runtime, not in the application; nothing was applied. Report it with this message");
        };
    }

    /** The runtime's own exceptions already say what happened; anything else may have been applied. */
    private RuntimeException writeFailure(@Nullable Throwable cause, Object key) {
        if (cause instanceof ReplicationException replication) {
            return replication;
        }
        if (cause instanceof IllegalArgumentException invalid) {
            return invalid;
        }
        return new OutcomeUnknownException(
                "a write to replicated map '" + mapName + "' (key '" + describe(key)
                        + "') failed unexpectedly (" + cause + "); it may or may not be applied. Read the key before"
                        + " retrying",
                cause);
    }

    /** A conditional write that found another version fails, naming the version it found. */
    void requireApplied(StateResult result, Object key, long expectedVersion) {
        if (result.status() == StateResult.Status.VERSION_CONFLICT) {
            // The previous version, not the value: a keyed write's remembered answer keeps no value.
            long currentVersion = result.beforeVersion();
            throw new VersionConflictException(
                    "replicated map '" + mapName + "': key '" + describe(key)
                            + "' is at version " + currentVersion + (currentVersion == 0 ? " (absent)" : "")
                            + ", not the expected " + expectedVersion
                            + "; nothing was written. Read the current value (getVersioned) and retry with its version",
                    expectedVersion,
                    currentVersion);
        }
    }

    /** Waits until a read barrier passes; a read that cannot be confirmed is unavailable, never a stale answer. */
    void awaitReadable(CompletableFuture<Void> barrier, ReadConsistency consistency) {
        try {
            barrier.get(readTimeout.plus(AWAIT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationUnavailableException(
                    "interrupted while waiting to read replicated map '" + mapName + "' at " + consistency
                            + "; nothing was read",
                    null,
                    e);
        } catch (TimeoutException e) {
            throw new ReplicationUnavailableException(
                    "replicated map '" + mapName + "' could not be read at "
                            + consistency + " within " + readTimeout
                            + ": this node could not confirm it is up to date (no"
                            + " reachable leader, or far behind). Retry later, or read at STALE if an older value is"
                            + " acceptable",
                    null,
                    e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplicationException replication) {
                throw replication;
            }
            throw new ReplicationUnavailableException(
                    "replicated map '" + mapName + "' could not be read at "
                            + consistency + ": " + e.getCause() + ". Retry later, or read at STALE if an older value is"
                            + " acceptable",
                    null,
                    e.getCause());
        }
    }

    /** A key as error messages show it: cut short, since keys may be long. */
    static String describe(Object key) {
        String text = String.valueOf(key);
        return text.length() <= MAX_KEY_IN_MESSAGE ? text : text.substring(0, MAX_KEY_IN_MESSAGE) + "...";
    }
}
