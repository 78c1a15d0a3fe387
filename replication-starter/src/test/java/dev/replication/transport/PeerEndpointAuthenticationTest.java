package dev.replication.transport;

import static dev.replication.transport.PeerTransportContract.assertDelivery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.Message;
import dev.replication.core.TimeoutNow;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Node n2 (peers n1 and n3) receiving hand-made requests: only valid credentials get through. */
class PeerEndpointAuthenticationTest {

    private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
    private static final MessageCodec CODEC = new MessageCodec();
    private static final int LIMIT = PeerTransportSettings.DEFAULT_MAX_BODY_BYTES;
    private static final int REQUESTS_PER_SENDER = 4;

    private static PeerNode n2;
    private static OkHttpClient client;

    @BeforeAll
    static void startNode() {
        n2 = PeerNode.start(
                PeerNodeApplication.class,
                "n2",
                "test.cluster-id=c1",
                "test.max-requests-per-sender=" + REQUESTS_PER_SENDER);
        n2.transport()
                .updatePeers(Map.of(
                        "n1", URI.create("http://127.0.0.1:9"),
                        "n2", n2.uri(),
                        "n3", URI.create("http://127.0.0.1:9")));
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequestsPerHost(64);
        client = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .dispatcher(dispatcher)
                .build();
    }

    @AfterAll
    static void stopNode() {
        n2.close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @BeforeEach
    void forgetEarlierTraffic() {
        n2.handler.reset();
    }

    @Test
    void aValidCredentialIsAccepted() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));

        try (Response response = post("messages", body, signed("n1", "n2", body))) {
            assertThat(response.code()).isEqualTo(204);
        }
        assertThat(n2.handler.messages).containsExactly(new TimeoutNow("n1", "n2", 4));
    }

    @Test
    void aMissingCredentialIsUnauthorizedAndChangesNothing() throws IOException {
        assertRefused(post("messages", batch(new TimeoutNow("n1", "n2", 4)), Map.of()), 401, "X-Replication-Sender");
    }

    @Test
    void aWrongCredentialIsUnauthorizedAndChangesNothing() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));
        Map<String, String> headers =
                sign("c1", "not-the-cluster-secret-at-all", "n1", "n2", "messages", body, Clock.systemUTC());
        assertRefused(post("messages", body, headers), 401, "invalid signature");
    }

    @Test
    void aReplayedCredentialIsUnauthorizedAndChangesNothing() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));
        Map<String, String> headers = signed("n1", "n2", body);
        try (Response first = post("messages", body, headers)) {
            assertThat(first.code()).isEqualTo(204);
        }
        n2.handler.reset();

        assertRefused(post("messages", body, headers), 401, "replayed");
    }

    @Test
    void anExpiredCredentialIsUnauthorizedAndChangesNothing() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));
        Clock minuteAgo = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-1));
        Map<String, String> headers = sign("c1", PeerNodeConfiguration.SECRET, "n1", "n2", "messages", body, minuteAgo);
        assertRefused(post("messages", body, headers), 401, "outside the accepted window");
    }

    @Test
    void aSenderNotInTheConfigurationIsForbidden() throws IOException {
        byte[] body = batch(new TimeoutNow("n9", "n2", 4));
        assertRefused(post("messages", body, signed("n9", "n2", body)), 403, "'n9' is not a configured peer");
    }

    @Test
    void aMessageClaimingAnotherSenderIsForbidden() throws IOException {
        byte[] body = batch(new TimeoutNow("n3", "n2", 4));
        assertRefused(
                post("messages", body, signed("n1", "n2", body)),
                403,
                "authenticated as n1 carries a TimeoutNow from n3");
    }

    @Test
    void aRequestForAnotherClusterIsAConflictNamingBothClusters() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));
        Map<String, String> headers =
                sign("c2", PeerNodeConfiguration.SECRET, "n1", "n2", "messages", body, Clock.systemUTC());
        assertRefused(post("messages", body, headers), 409, "for cluster 'c2' but node n2 belongs to cluster 'c1'");
    }

    @Test
    void aRequestForAnotherNodeIsMisdirected() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n3", 4));
        assertRefused(
                post("messages", body, signed("n1", "n3", body)), 421, "addressed to node 'n3' but reached node 'n2'");
    }

    @Test
    void anUnknownWireVersionIsABadRequestNamingTheVersions() throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));
        body[0] = 7;
        assertRefused(
                post("messages", body, signed("n1", "n2", body)),
                400,
                "wire format version 7 but this node supports versions [2]");
    }

    @Test
    void aCallWithoutCredentialIsUnauthorizedAndNeverReachesTheHandler() throws IOException {
        assertRefused(post("call/propose", new byte[] {1}, Map.of()), 401, "X-Replication-Sender");
        assertThat(n2.handler.calls).hasValue(0);
    }

    @Test
    void aDeclaredBodyAboveTheLimitIsRefusedBeforeAuthentication() throws IOException {
        RequestBody declared = new RequestBody() {
            @Override
            public MediaType contentType() {
                return OCTET_STREAM;
            }

            @Override
            public long contentLength() {
                return LIMIT + 1L;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(new byte[LIMIT + 1]);
            }
        };
        Request request = new Request.Builder()
                .url(n2.uri() + "/replication/v1/messages")
                .post(declared)
                .build();

        assertRefused(client.newCall(request).execute(), 413, "exceeds the limit");
    }

    @Test
    void anAuthenticatedBodyAboveTheLimitIsRefusedAsTooLarge() throws IOException {
        byte[] body = new byte[LIMIT + 1];
        RequestBody streamed = new RequestBody() {
            @Override
            public MediaType contentType() {
                return OCTET_STREAM;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(body); // no declared length: the server finds out while reading
            }
        };
        Request.Builder request =
                new Request.Builder().url(n2.uri() + "/replication/v1/messages").post(streamed);
        signed("n1", "n2", body).forEach(request::header);

        assertRefused(client.newCall(request.build()).execute(), 413, "exceeds the limit");
    }

    @Test
    void aBadCredentialIsRefusedBeforeTheBodyIsRead() throws Exception {
        int total = 3 * 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        CountDownLatch answered = new CountDownLatch(1);
        // Sends 64 KiB, then the rest only once the answer came (or after 10 s): a server that
        // reads the body before checking the credential answers only after all of it.
        RequestBody slow = new RequestBody() {
            @Override
            public MediaType contentType() {
                return OCTET_STREAM;
            }

            @Override
            public boolean isDuplex() {
                return true;
            }

            @Override
            public void writeTo(BufferedSink sink) {
                Thread writer = new Thread(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try (sink) {
                        sink.write(chunk);
                        sink.flush();
                        sent.addAndGet(chunk.length);
                        answered.await(10, TimeUnit.SECONDS);
                        while (sent.get() < total) {
                            sink.write(chunk);
                            sent.addAndGet(chunk.length);
                        }
                    } catch (IOException | InterruptedException refused) {
                        // the server closed the stream after answering: expected
                    }
                });
                writer.setDaemon(true);
                writer.start();
            }
        };
        Map<String, String> headers =
                sign("c1", "not-the-cluster-secret-at-all", "n1", "n2", "messages", new byte[total], Clock.systemUTC());
        Request.Builder request =
                new Request.Builder().url(n2.uri() + "/replication/v1/messages").post(slow);
        headers.forEach(request::header);

        try (Response response = client.newCall(request.build()).execute()) {
            long sentWhenAnswered = sent.get();
            answered.countDown();

            assertThat(response.code()).isEqualTo(401);
            assertThat(sentWhenAnswered)
                    .as("body bytes sent before the refusal arrived")
                    .isLessThan(total);
        }
        assertThat(n2.handler.messages).isEmpty();
    }

    @Test
    void moreConcurrentRequestsFromOneSenderThanAllowedAreRefusedAtOnce() throws Exception {
        List<CompletableFuture<byte[]>> held = new CopyOnWriteArrayList<>();
        n2.handler.answering((operation, body) -> {
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            held.add(answer);
            return answer;
        });
        List<Call> inFlight = new ArrayList<>();
        try {
            for (int i = 0; i < REQUESTS_PER_SENDER; i++) {
                Call call = client.newCall(callRequest("n1", new byte[] {(byte) i}));
                call.enqueue(new Callback() {
                    @Override
                    public void onFailure(Call failed, IOException e) {}

                    @Override
                    public void onResponse(Call answeredCall, Response response) {
                        response.close();
                    }
                });
                inFlight.add(call);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == REQUESTS_PER_SENDER);

            Call extra = client.newCall(callRequest("n1", new byte[] {9}));
            extra.timeout().timeout(5, TimeUnit.SECONDS); // held like the others: fails the test
            try (Response refused = extra.execute()) {
                assertThat(refused.code()).isEqualTo(503);
                assertThat(refused.header(InboundRequests.NOT_DELIVERED_HEADER)).isEqualTo("true");
                assertThat(refused.header("Retry-After")).isNotBlank();
                assertThat(refused.body().string())
                        .contains("n1 has " + REQUESTS_PER_SENDER + " peer requests in progress");
            }
            assertThat(n2.handler.calls).hasValue(REQUESTS_PER_SENDER);
        } finally {
            held.forEach(answer -> answer.complete(new byte[0]));
            inFlight.forEach(Call::cancel);
        }
    }

    @Test
    void anotherSendersRequestsAreNotRefusedWhileOneSenderIsAtItsLimit() throws Exception {
        List<CompletableFuture<byte[]>> held = new CopyOnWriteArrayList<>();
        n2.handler.answering((operation, body) -> {
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            held.add(answer);
            return answer;
        });
        List<Call> inFlight = new ArrayList<>();
        try {
            for (int i = 0; i < REQUESTS_PER_SENDER; i++) {
                Call call = client.newCall(callRequest("n1", new byte[] {(byte) i}));
                call.enqueue(new Callback() {
                    @Override
                    public void onFailure(Call failed, IOException e) {}

                    @Override
                    public void onResponse(Call answeredCall, Response response) {
                        response.close();
                    }
                });
                inFlight.add(call);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == REQUESTS_PER_SENDER);
            byte[] body = batch(new TimeoutNow("n3", "n2", 4));

            try (Response response = post("messages", body, signed("n3", "n2", body))) {
                assertThat(response.code()).isEqualTo(204);
            }
        } finally {
            held.forEach(answer -> answer.complete(new byte[0]));
            inFlight.forEach(Call::cancel);
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void theSecretNeverAppearsInTheLogs(CapturedOutput output) throws IOException {
        byte[] body = batch(new TimeoutNow("n1", "n2", 4));
        Map<String, String> headers = signed("n1", "n2", body);
        post("messages", body, headers).close();
        post("messages", body, headers).close(); // replayed: refused and logged
        post("messages", body, Map.of()).close();

        assertThat(output.getAll()).contains("Refused peer request").doesNotContain(PeerNodeConfiguration.SECRET);
    }

    @Test
    void aCallerWithTheWrongSecretFailsAsNotDelivered() {
        PeerTransportSettings settings = PeerTransportSettings.of(
                "n1", "c1", Map.of("n2", n2.uri()), ClusterSecret.of("not-the-cluster-secret-at-all"));
        try (Http2PeerTransport impostor = new Http2PeerTransport(settings)) {
            assertDelivery(
                    impostor.call("n2", "propose", new byte[] {1}, Duration.ofSeconds(10)),
                    PeerCallException.Delivery.NOT_DELIVERED);
        }
        assertThat(n2.handler.calls).hasValue(0);
    }

    private static void assertRefused(Response refusal, int status, String detail) throws IOException {
        try (refusal) {
            assertThat(refusal.code()).isEqualTo(status);
            assertThat(refusal.header("Content-Type")).startsWith("application/problem+json");
            assertThat(refusal.body().string()).contains(detail).doesNotContain(PeerNodeConfiguration.SECRET);
        }
        assertThat(n2.handler.messages).isEmpty();
        assertThat(n2.handler.calls).hasValue(0);
    }

    private static Map<String, String> signed(String sender, String recipient, byte[] body) {
        return sign("c1", PeerNodeConfiguration.SECRET, sender, recipient, "messages", body, Clock.systemUTC());
    }

    private static Map<String, String> sign(
            String clusterId, String secret, String sender, String recipient, String target, byte[] body, Clock clock) {
        return new ClusterCredential(clusterId, ClusterSecret.of(secret), Duration.ofSeconds(30), clock)
                .sign(sender, recipient, target, body);
    }

    private static Request callRequest(String sender, byte[] body) {
        Request.Builder request = new Request.Builder()
                .url(n2.uri() + "/replication/v1/call/echo")
                .post(RequestBody.create(body, OCTET_STREAM));
        sign("c1", PeerNodeConfiguration.SECRET, sender, "n2", "call/echo", body, Clock.systemUTC())
                .forEach(request::header);
        return request.build();
    }

    private static byte[] batch(Message... messages) {
        return CODEC.encodeBatch(List.of(messages));
    }

    private static Response post(String target, byte[] body, Map<String, String> headers) throws IOException {
        Request.Builder request = new Request.Builder()
                .url(n2.uri() + "/replication/v1/" + target)
                .post(RequestBody.create(body, OCTET_STREAM));
        headers.forEach(request::header);
        return client.newCall(request.build()).execute();
    }
}
