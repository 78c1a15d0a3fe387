package dev.replication.sample;

import dev.replication.api.IdempotentWrites;
import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.Versioned;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP key-value API: {@code PUT/GET/DELETE /kv/{key}} and {@code GET /kv?prefix=}. Keys may
 * contain {@code /}; values are any JSON value. Writes answer once the replicated map has
 * committed and applied them on this node (a follower forwards them to the leader), so a read
 * on this node afterwards sees them.
 *
 * <p>Answers are asynchronous: the request is checked on the web server's thread, then the
 * blocking map call runs under {@link RequestAdmission}, so no web-server thread waits for a
 * commit and the peers' messages, served by the same web server, never wait behind clients.
 */
@RestController
@RequestMapping("/kv")
public class KeyValueController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final ReplicatedMap<String, JsonNode> entries;
    private final KeyValueLimits limits;
    private final JsonMapper jsonMapper;
    private final RequestAdmission admission;

    public KeyValueController(
            @Replicated("kv") ReplicatedMap<String, JsonNode> entries,
            KeyValueLimits limits,
            JsonMapper jsonMapper,
            RequestAdmission admission) {
        this.entries = entries;
        this.limits = limits;
        this.jsonMapper = jsonMapper;
        this.admission = admission;
    }

    /** A stored entry as the API shows it. */
    public record Entry(String key, JsonNode value, long version, Instant writtenAt) {

        static Entry of(String key, Versioned<JsonNode> versioned) {
            return new Entry(key, versioned.value(), versioned.version(), versioned.writtenAt());
        }
    }

    /**
     * The answer to a delete: the value that was removed; null for a delete with an
     * {@code Idempotency-Key}, whose answer the cluster remembers only as "removed".
     */
    public record Removed(String key, @Nullable JsonNode value) {}

    /** The entries under a prefix, ordered by key. */
    public record Listing(String prefix, int count, List<Entry> entries) {}

    @PutMapping("/{*key}")
    public CompletableFuture<Entry> put(
            @PathVariable("key") String path,
            @RequestParam(name = "ifVersion", required = false) @Nullable String ifVersion,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
            HttpServletRequest request)
            throws IOException {
        String key = limits.checkKey(keyOf(path));
        Long expectedVersion = parseVersion(ifVersion, 0);
        String requestId = limits.checkIdempotencyKey(idempotencyKey);
        JsonNode value = readValue(request);
        return admission.submit(() -> {
            Versioned<JsonNode> stored;
            if (requestId == null) {
                stored = expectedVersion == null
                        ? entries.putVersioned(key, value)
                        : entries.putIfVersion(key, value, expectedVersion);
            } else {
                IdempotentWrites<String, JsonNode> writes = entries.withIdempotencyKey(requestId);
                stored = expectedVersion == null
                        ? writes.putVersioned(key, value)
                        : writes.putIfVersion(key, value, expectedVersion);
            }
            return Entry.of(key, stored);
        });
    }

    @GetMapping("/{*key}")
    public CompletableFuture<Entry> get(
            @PathVariable("key") String path,
            @RequestParam(name = "consistency", required = false) @Nullable String consistency) {
        String key = limits.checkKey(keyOf(path));
        ReadConsistency readConsistency = parseConsistency(consistency);
        return admission.submit(() -> {
            Versioned<JsonNode> found = entries.read(readConsistency).getVersioned(key);
            if (found == null) {
                throw new NoSuchKeyException(key);
            }
            return Entry.of(key, found);
        });
    }

    @DeleteMapping("/{*key}")
    public CompletableFuture<Removed> delete(
            @PathVariable("key") String path,
            @RequestParam(name = "ifVersion", required = false) @Nullable String ifVersion,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
        String key = limits.checkKey(keyOf(path));
        Long expectedVersion = parseVersion(ifVersion, 1);
        String requestId = limits.checkIdempotencyKey(idempotencyKey);
        return admission.submit(() -> {
            if (requestId != null) {
                IdempotentWrites<String, JsonNode> writes = entries.withIdempotencyKey(requestId);
                if (expectedVersion != null) {
                    writes.removeIfVersion(key, expectedVersion);
                } else if (!writes.remove(key)) {
                    throw new NoSuchKeyException(key);
                }
                return new Removed(key, null);
            }
            JsonNode removed =
                    expectedVersion == null ? entries.remove(key) : entries.removeIfVersion(key, expectedVersion);
            if (removed == null) {
                throw new NoSuchKeyException(key);
            }
            return new Removed(key, removed);
        });
    }

    @GetMapping
    public CompletableFuture<Listing> list(
            @RequestParam(name = "prefix", defaultValue = "") String prefix,
            @RequestParam(name = "consistency", required = false) @Nullable String consistency) {
        ReadConsistency readConsistency = parseConsistency(consistency);
        return admission.submit(() -> {
            Map<String, Versioned<JsonNode>> found =
                    entries.read(readConsistency).scan(prefix);
            List<Entry> listed = new ArrayList<>(found.size());
            found.forEach((key, versioned) -> listed.add(Entry.of(key, versioned)));
            return new Listing(prefix, listed.size(), listed);
        });
    }

    /** {@code /{*key}} captures the rest of the path with its leading slash. */
    private static String keyOf(String capturedPath) {
        return capturedPath.startsWith("/") ? capturedPath.substring(1) : capturedPath;
    }

    private static @Nullable Long parseVersion(@Nullable String ifVersion, long smallest) {
        if (ifVersion == null) {
            return null;
        }
        try {
            long version = Long.parseLong(ifVersion.trim());
            if (version >= smallest) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below with the same message as an out-of-range number
        }
        String allowed = smallest == 0
                ? "a whole number >= 0 (0 means: create only if absent)"
                : "a whole number >= 1 (the version you last read)";
        throw new RejectedRequestException(
                HttpStatus.BAD_REQUEST,
                "Invalid ifVersion",
                "ifVersion='" + ifVersion + "' is not valid here; send " + allowed + ".");
    }

    private static ReadConsistency parseConsistency(@Nullable String consistency) {
        if (consistency == null || consistency.isBlank()) {
            return ReadConsistency.LINEARIZABLE;
        }
        return switch (consistency.trim().toLowerCase(Locale.ROOT)) {
            case "linearizable" -> ReadConsistency.LINEARIZABLE;
            case "stale" -> ReadConsistency.STALE;
            default ->
                throw new RejectedRequestException(
                        HttpStatus.BAD_REQUEST,
                        "Invalid consistency",
                        "consistency='" + consistency + "' is not known; use 'linearizable' (the default) or 'stale'.");
        };
    }

    /** Reads at most the value limit (plus one byte to detect overflow) before parsing. */
    private JsonNode readValue(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limits.maxValueBytes()) {
            throw valueTooLarge(declared);
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(limits.maxValueBytes() + 1);
        }
        if (body.length > limits.maxValueBytes()) {
            throw valueTooLarge(body.length);
        }
        if (body.length == 0) {
            throw new RejectedRequestException(
                    HttpStatus.BAD_REQUEST,
                    "Missing value",
                    "The request body is empty. Send the value as JSON, for example '\"hello\"' or '{\"n\":1}'.");
        }
        JsonNode value;
        try {
            value = jsonMapper.readTree(body);
        } catch (JacksonException e) {
            throw new RejectedRequestException(
                    HttpStatus.BAD_REQUEST,
                    "Malformed JSON",
                    "The request body is not valid JSON (" + e.getOriginalMessage()
                            + "). Send one JSON value; quote strings, for example '\"hello\"'.");
        }
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new RejectedRequestException(
                    HttpStatus.BAD_REQUEST,
                    "Null value",
                    "The value is null, which a key cannot hold. To remove the key, send DELETE instead.");
        }
        return value;
    }

    private RejectedRequestException valueTooLarge(long bytes) {
        return new RejectedRequestException(
                HttpStatus.CONTENT_TOO_LARGE,
                "Value too large",
                "The value is larger than the limit of " + limits.maxValueBytes()
                        + " bytes (sample.kv.max-value-bytes). Store large data elsewhere and keep a reference here.");
    }
}
