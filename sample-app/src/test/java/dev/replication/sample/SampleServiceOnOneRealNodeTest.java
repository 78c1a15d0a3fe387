package dev.replication.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample service on the real starter, as a throw-away cluster of one, over real HTTP: what
 * {@link KeyValueApiTest} specifies with an in-memory map also holds with the replicated log.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"replication.in-memory=true", "sample.heartbeat.interval=200ms"})
class SampleServiceOnOneRealNodeTest {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Test
    void becomesReadyOnceTheNodeLeadsItself() {
        await("health UP")
                .atMost(STARTUP)
                .until(() -> send("GET", "/actuator/health/readiness", null).statusCode() == 200);

        assertThat(send("GET", "/actuator/health", null).body()).contains("\"replication\"");
    }

    @Test
    void aWriteIsCommittedAndReadBackWithItsVersion() {
        HttpResponse<String> put = awaitLeaderThen("PUT", "/kv/real/greeting", "\"hello\"");
        JsonNode written = json.readTree(put.body());

        JsonNode read = json.readTree(send("GET", "/kv/real/greeting", null).body());

        assertThat(read.path("value").asString()).isEqualTo("hello");
        assertThat(read.path("version").asLong())
                .isEqualTo(written.path("version").asLong())
                .isPositive();
    }

    @Test
    void aCompareAndSetOnAnOutdatedVersionIsAConflict() {
        HttpResponse<String> first = awaitLeaderThen("PUT", "/kv/real/cas", "1");
        long version = json.readTree(first.body()).path("version").asLong();
        assertThat(send("PUT", "/kv/real/cas?ifVersion=" + version, "2").statusCode())
                .isEqualTo(200);

        HttpResponse<String> stale = send("PUT", "/kv/real/cas?ifVersion=" + version, "3");

        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("version-conflict");
    }

    @Test
    void anIdempotencyKeyReusedForAnotherBodyIsRefused() {
        awaitLeaderThen("GET", "/kv?prefix=", null);
        HttpResponse<String> first = send("PUT", "/kv/real/pay", "100", "Idempotency-Key", "real-1");
        HttpResponse<String> retry = send("PUT", "/kv/real/pay", "100", "Idempotency-Key", "real-1");
        HttpResponse<String> other = send("PUT", "/kv/real/pay", "200", "Idempotency-Key", "real-1");

        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(other.statusCode()).isEqualTo(422);
    }

    @Test
    void theLeaderOnlyJobWritesItsHeartbeat() {
        await("a leader heartbeat")
                .atMost(STARTUP)
                .until(() -> send("GET", "/leader", null).statusCode() == 200);

        JsonNode leader = json.readTree(send("GET", "/leader", null).body());

        assertThat(leader.path("generation").asLong()).isPositive();
        assertThat(leader.path("beats").asLong()).isPositive();
    }

    /** The first request waits until the single node has elected itself. */
    private HttpResponse<String> awaitLeaderThen(String method, String path, String body) {
        return await(method + " " + path + " answered 200")
                .atMost(STARTUP)
                .until(() -> send(method, path, body), response -> response.statusCode() == 200);
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("request " + method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }
}
