package dev.replication.sample;

import dev.replication.testsupport.history.History;
import dev.replication.testsupport.history.Operation;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One soak client: linearizable reads, unique-value puts with an {@code Idempotency-Key} (some
 * sent twice on purpose), conditional puts after a read, and oversized puts, each request to the
 * next node in turn. Every operation but the oversized puts is recorded in the {@link History},
 * classified by what its answer proves: 200 (409 for a conditional put, 404 for a read) took
 * effect; 503 saying nothing changed, or a refused connection, certainly did not; 504, a client timeout or a connection
 * broken after sending may or may not have.
 */
final class SoakClient {

    /** Longer than the map's 5 s write and read timeouts, so the server usually answers first. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The problem types of a 503 that says nothing changed: the starter's and the sample's own. */
    private static final Set<String> NOTHING_CHANGED_TYPES = Set.of(
            "urn:problem-type:replication:not-applied",
            "urn:problem-type:replication:unavailable",
            "urn:problem-type:replication:overloaded");

    private final String name;
    private final History history;
    private final List<String> baseUrls;
    private final List<String> keys;
    private final HttpClient http;
    private final SoakTally tally;
    private final int maxValueBytes;
    private final SplittableRandom random;
    private long sequence;
    private int nextNode;

    /** What one request proved, with the answer's status (0: none) and JSON body when there was one. */
    private record Answer(Kind kind, int status, @Nullable JsonNode body, String text) {
        enum Kind {
            APPLIED,
            NOT_APPLIED,
            UNKNOWN
        }

        long version() {
            return body == null ? 0 : body.path("version").asLong();
        }
    }

    /** A linearizable read's result: the value (null: absent) and its version (0: absent). */
    record ReadResult(@Nullable String value, long version) {}

    SoakClient(
            String name,
            History history,
            List<String> baseUrls,
            List<String> keys,
            HttpClient http,
            SoakTally tally,
            int maxValueBytes,
            long seed) {
        this.name = name;
        this.history = history;
        this.baseUrls = baseUrls;
        this.keys = keys;
        this.http = http;
        this.tally = tally;
        this.maxValueBytes = maxValueBytes;
        this.random = new SplittableRandom(seed);
        this.nextNode = (int) (seed % baseUrls.size());
    }

    /** One random operation. */
    void step() {
        String key = keys.get(random.nextInt(keys.size()));
        int choice = random.nextInt(100);
        if (choice < 40) {
            read(key);
        } else if (choice < 70) {
            put(key, choice < 45); // one put in six is replayed
        } else if (choice < 95) {
            ReadResult seen = read(key);
            if (seen != null) {
                conditionalPut(key, seen);
            }
        } else {
            oversizedPut(key);
        }
    }

    /** A linearizable read through the next node; null when it failed or its outcome is unknown. */
    @Nullable
    ReadResult read(String key) {
        History.Pending pending = history.invoke(name, new Operation.Read(key));
        Answer answer = send("GET", key, "", null, null);
        JsonNode body = answer.body();
        if (answer.kind() == Answer.Kind.APPLIED && answer.status() == 200 && body != null) {
            ReadResult result = new ReadResult(body.path("value").stringValue(), answer.version());
            pending.ok(result.value());
            return result;
        }
        if (answer.kind() == Answer.Kind.APPLIED && answer.status() == 404) {
            pending.ok(null);
            return new ReadResult(null, 0);
        }
        complete(pending, answer);
        return null;
    }

    /**
     * An unconditional put of a value nobody else writes. With {@code replay}, a put that
     * succeeded is sent once more with the same {@code Idempotency-Key} to another node: the
     * cluster must answer it from memory with the same version, not apply it again.
     */
    private void put(String key, boolean replay) {
        String value = nextValue();
        History.Pending pending = history.invoke(name, new Operation.Write(key, value));
        String idempotencyKey = UUID.randomUUID().toString();
        Answer answer = sendWithOneRetry(key, "", value, idempotencyKey);
        if (answer.kind() != Answer.Kind.APPLIED) {
            complete(pending, answer);
            return;
        }
        pending.ok(null);
        tally.acknowledged(key, answer.version());
        if (replay) {
            Answer again = send("PUT", key, "", quoted(value), idempotencyKey);
            if (again.kind() == Answer.Kind.APPLIED) {
                tally.replayed(key, value, answer.version(), again.version());
            }
        }
    }

    /**
     * Conditional put after a read: the API compares versions, the history compares values, and
     * the two agree because every value is written at most once (a version names one write).
     */
    private void conditionalPut(String key, ReadResult seen) {
        String value = nextValue();
        History.Pending pending = history.invoke(name, new Operation.CompareAndSet(key, seen.value(), value));
        Answer answer = sendWithOneRetry(
                key, "?ifVersion=" + seen.version(), value, UUID.randomUUID().toString());
        if (answer.kind() != Answer.Kind.APPLIED) {
            complete(pending, answer);
            return;
        }
        pending.ok(answer.status() == 200);
        if (answer.status() == 200) {
            tally.acknowledged(key, answer.version());
        }
    }

    /** Larger than the limit: must be refused with 413 before it reaches the log, so not in the history. */
    private void oversizedPut(String key) {
        String value = nextValue() + "-" + "x".repeat(maxValueBytes);
        tally.oversized(send("PUT", key, "", quoted(value), UUID.randomUUID().toString())
                .status());
    }

    /** A put whose outcome is unknown is retried once on the next node with the same idempotency key. */
    private Answer sendWithOneRetry(String key, String query, String value, String idempotencyKey) {
        Answer first = send("PUT", key, query, quoted(value), idempotencyKey);
        if (first.kind() != Answer.Kind.UNKNOWN) {
            return first;
        }
        Answer retry = send("PUT", key, query, quoted(value), idempotencyKey);
        tally.retried(key + query + " " + value + ": " + first.text() + " (v" + first.version() + "), then "
                + retry.text() + " (v" + retry.version() + ")");
        // The first attempt may have been applied, so only a retry that took effect is conclusive.
        return retry.kind() == Answer.Kind.APPLIED ? retry : first;
    }

    private Answer send(
            String method, String key, String query, @Nullable String body, @Nullable String idempotencyKey) {
        String baseUrl = baseUrls.get(nextNode++ % baseUrls.size());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/kv/" + key + query))
                .timeout(REQUEST_TIMEOUT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        String trail = name + ": " + method + " " + baseUrl + "/kv/" + key + query + " "
                + (body == null || body.length() > 100 ? "" : body) + " key " + idempotencyKey;
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return noAnswer(Answer.Kind.NOT_APPLIED, "refused", started, trail); // never reached a server
        } catch (HttpTimeoutException e) {
            return noAnswer(Answer.Kind.UNKNOWN, "timed out", started, trail);
        } catch (IOException e) {
            return noAnswer(Answer.Kind.UNKNOWN, "broken", started, trail); // sent, then the connection failed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return noAnswer(Answer.Kind.UNKNOWN, "interrupted", started, trail);
        }
        tally.answered(response.statusCode(), System.nanoTime() - started);
        String answered = response.body();
        tally.attempt(trail + " -> " + response.statusCode() + " "
                + (answered.length() > 200 ? answered.substring(0, 200) + "..." : answered));
        return classify(method + " " + baseUrl + "/kv/" + key + query, query, response);
    }

    private Answer noAnswer(Answer.Kind kind, String why, long started, String trail) {
        tally.unanswered(why, System.nanoTime() - started);
        tally.attempt(trail + " -> " + why);
        return new Answer(kind, 0, null, why);
    }

    private Answer classify(String request, String query, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode parsed = parse(response.body());
        switch (status) {
            case 200, 404:
                if (parsed != null) {
                    return new Answer(Answer.Kind.APPLIED, status, parsed, Integer.toString(status));
                }
                break;
            case 409:
                if (query.startsWith("?ifVersion=")) {
                    return new Answer(Answer.Kind.APPLIED, status, parsed, Integer.toString(status));
                }
                break;
            case 413:
                return new Answer(Answer.Kind.NOT_APPLIED, status, parsed, Integer.toString(status));
            case 503:
                // Only a 503 that says "nothing changed" proves it; any other 503 breaks the API's contract.
                if (parsed != null
                        && NOTHING_CHANGED_TYPES.contains(parsed.path("type").asString(""))) {
                    return new Answer(Answer.Kind.NOT_APPLIED, status, parsed, Integer.toString(status));
                }
                break;
            case 504:
                return new Answer(Answer.Kind.UNKNOWN, status, parsed, Integer.toString(status));
            default:
                break;
        }
        tally.unexpected(request + " -> " + status + " " + response.body());
        return new Answer(Answer.Kind.UNKNOWN, status, parsed, Integer.toString(status));
    }

    private static @Nullable JsonNode parse(String body) {
        if (body.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static void complete(History.Pending pending, Answer answer) {
        if (answer.kind() == Answer.Kind.NOT_APPLIED) {
            pending.failed();
        } else {
            pending.unknown();
        }
    }

    private String nextValue() {
        return name + "-" + ++sequence;
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
