package dev.replication.sample.faults;

import dev.replication.testsupport.history.History;
import dev.replication.testsupport.history.Operation;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One client of the key-value API that records every operation in a {@link History}, classifying
 * each answer by what it proves: 200 (and 409 for a compare-and-set, 404 for a read) took effect;
 * 503 and a refused connection certainly did not; 504, a timeout or a broken connection may or may
 * not have. A write with an unknown outcome is retried once on another node with the same
 * {@code Idempotency-Key}, which the API applies at most once.
 */
final class KeyValueClient {

    /** Longer than the server's write timeout, so the server usually answers first. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);

    private final String name;
    private final History history;
    private final List<String> baseUrls;
    private final Queue<String> unexpected;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private int nextNode;

    /** What a request proved, and the answer when there was one. */
    private record Answer(Kind kind, int status, JsonNode body) {
        enum Kind {
            APPLIED,
            NOT_APPLIED,
            UNKNOWN
        }
    }

    /** A linearizable read's result: the value (null: absent) and its version (0: absent). */
    record ReadResult(String value, long version) {}

    KeyValueClient(
            String name,
            History history,
            List<String> baseUrls,
            int firstNode,
            ConcurrentLinkedQueue<String> unexpected) {
        this.name = name;
        this.history = history;
        this.baseUrls = baseUrls;
        this.nextNode = firstNode;
        this.unexpected = unexpected;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build();
    }

    /** A linearizable read through the next node; null when it failed or its outcome is unknown. */
    ReadResult read(String key) {
        History.Pending pending = history.invoke(name, new Operation.Read(key));
        Answer answer = send(nextNode(), "GET", key, "?consistency=linearizable", null, null);
        if (answer.kind() == Answer.Kind.APPLIED && answer.status() == 200) {
            ReadResult result = new ReadResult(
                    answer.body().path("value").stringValue(),
                    answer.body().path("version").asLong());
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

    /** An unconditional write of a value no other operation writes. */
    void write(String key, String value) {
        History.Pending pending = history.invoke(name, new Operation.Write(key, value));
        Answer answer = writeWithOneRetry("PUT", key, "", quoted(value));
        if (answer.kind() == Answer.Kind.APPLIED) {
            pending.ok(null);
        } else {
            complete(pending, answer);
        }
    }

    /**
     * Compare-and-set after a read: the API compares versions, the history compares values, and
     * the two agree because every value is written at most once (a version names one write).
     */
    void compareAndSet(String key, ReadResult seen, String value) {
        History.Pending pending = history.invoke(name, new Operation.CompareAndSet(key, seen.value(), value));
        Answer answer = writeWithOneRetry("PUT", key, "?ifVersion=" + seen.version(), quoted(value));
        if (answer.kind() == Answer.Kind.APPLIED) {
            pending.ok(answer.status() == 200);
        } else {
            complete(pending, answer);
        }
    }

    void delete(String key) {
        History.Pending pending = history.invoke(name, new Operation.Delete(key));
        Answer answer = writeWithOneRetry("DELETE", key, "", null);
        if (answer.kind() == Answer.Kind.APPLIED) {
            pending.ok(null);
        } else {
            complete(pending, answer);
        }
    }

    private Answer writeWithOneRetry(String method, String key, String query, String body) {
        String idempotencyKey = UUID.randomUUID().toString();
        Answer first = send(nextNode(), method, key, query, body, idempotencyKey);
        if (first.kind() != Answer.Kind.UNKNOWN) {
            return first;
        }
        Answer retry = send(nextNode(), method, key, query, body, idempotencyKey);
        // The first attempt may have been applied, so only a retry that took effect is conclusive.
        return retry.kind() == Answer.Kind.APPLIED ? retry : first;
    }

    private Answer send(String baseUrl, String method, String key, String query, String body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/kv/" + encode(key) + query))
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
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Answer(Answer.Kind.NOT_APPLIED, 0, null);
        } catch (IOException e) {
            return new Answer(Answer.Kind.UNKNOWN, 0, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Answer.Kind.UNKNOWN, 0, null);
        }
        int status = response.statusCode();
        JsonNode parsed = parse(response.body());
        switch (status) {
            case 200, 404:
                if (parsed != null) {
                    return new Answer(Answer.Kind.APPLIED, status, parsed);
                }
                break;
            case 409:
                if (query.startsWith("?ifVersion=")) {
                    return new Answer(Answer.Kind.APPLIED, status, parsed);
                }
                break;
            case 503:
                return new Answer(Answer.Kind.NOT_APPLIED, status, parsed);
            case 504:
                return new Answer(Answer.Kind.UNKNOWN, status, parsed);
            default:
                break;
        }
        unexpected.add(method + " " + baseUrl + "/kv/" + key + query + " -> " + status + " " + response.body());
        return new Answer(Answer.Kind.UNKNOWN, status, parsed);
    }

    /** The answer's JSON, or null when it has none (an error page from a proxy or the container). */
    private JsonNode parse(String body) {
        if (body.isEmpty()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }

    private void complete(History.Pending pending, Answer answer) {
        if (answer.kind() == Answer.Kind.NOT_APPLIED) {
            pending.failed();
        } else {
            pending.unknown();
        }
    }

    private String nextNode() {
        String baseUrl = baseUrls.get(nextNode % baseUrls.size());
        nextNode++;
        return baseUrl;
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }

    private static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }
}
