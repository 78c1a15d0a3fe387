package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.TimeoutNow;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in applications with Spring Security. They also leave {@code server.http2.enabled}
 * unset, so HTTP/2 comes from {@link dev.replication.transport.servlet.PeerHttp2Tuning} alone.
 */
class SpringSecurityPeerTest {

    private static PeerNode a;
    private static PeerNode b;
    private static OkHttpClient client;

    @BeforeAll
    static void startNodes() {
        a = PeerNode.start(SecuredPeerNodeApplication.class, "a", "server.http2.enabled=false");
        b = PeerNode.start(SecuredPeerNodeApplication.class, "b", "server.http2.enabled=false");
        PeerNode.connect(List.of(a, b));
        client = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .build();
    }

    @AfterAll
    static void stopNodes() {
        a.close();
        b.close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @Test
    void peersExchangeMessagesOverHttp2ThroughSpringSecurity() {
        a.transport().send(new TimeoutNow("a", "b", 1));
        b.transport().send(new TimeoutNow("b", "a", 1));

        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        !a.handler.from("b").isEmpty() && !b.handler.from("a").isEmpty());
        assertThat(a.peerRequestProtocols()).containsOnly("HTTP/2.0");
        assertThat(b.peerRequestProtocols()).containsOnly("HTTP/2.0");
    }

    @Test
    void peersCallEachOtherThroughSpringSecurity() throws Exception {
        byte[] answer = a.transport()
                .call("b", "echo", new byte[] {4, 2}, Duration.ofSeconds(20))
                .get(30, TimeUnit.SECONDS);

        assertThat(answer).containsExactly(4, 2);
    }

    @Test
    void peerEndpointsStillRequireTheClusterCredential() throws IOException {
        try (Response response = post(b, "/replication/v1/messages")) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(response.body().string()).contains("X-Replication-Sender");
        }
    }

    @Test
    void theApplicationsOwnEndpointsStayProtected() throws IOException {
        try (Response response = post(b, "/orders")) {
            assertThat(response.code()).isEqualTo(401);
        }
    }

    private static Response post(PeerNode node, String path) throws IOException {
        Request request = new Request.Builder()
                .url(node.uri() + path)
                .post(RequestBody.create(new byte[] {1}, MediaType.get("application/octet-stream")))
                .build();
        return client.newCall(request).execute();
    }
}
