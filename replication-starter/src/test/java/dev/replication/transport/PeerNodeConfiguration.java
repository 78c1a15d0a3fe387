package dev.replication.transport;

import dev.replication.transport.servlet.PeerEndpoint;
import dev.replication.transport.servlet.PeerHttp2Tuning;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What the auto-configuration will register for a node, wired by hand for tests: the transport
 * (peers set later, once every node's random port is known), its endpoint and the Tomcat
 * tuning, plus a filter that records the protocol of every peer request the server sees.
 */
@Configuration(proxyBeanMethods = false)
class PeerNodeConfiguration {

    static final String SECRET = "test-cluster-secret-of-some-length";

    @Bean
    Http2PeerTransport http2PeerTransport(Environment environment) {
        PeerTransportSettings settings = PeerTransportSettings.of(
                        environment.getRequiredProperty("test.node-id"),
                        environment.getProperty("test.cluster-id", "test-cluster"),
                        Map.of(),
                        ClusterSecret.of(environment.getProperty("test.cluster-secret", SECRET)))
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5))
                .withInboundLimits(
                        PeerTransportSettings.DEFAULT_MAX_BODY_BYTES,
                        environment.getProperty(
                                "test.max-requests-per-sender",
                                Integer.class,
                                PeerTransportSettings.DEFAULT_MAX_REQUESTS_PER_SENDER));
        return new Http2PeerTransport(settings);
    }

    @Bean
    PeerEndpoint peerEndpoint(Http2PeerTransport transport) {
        return new PeerEndpoint(transport);
    }

    @Bean
    PeerHttp2Tuning peerHttp2Tuning() {
        return new PeerHttp2Tuning();
    }

    @Bean
    PeerProtocolRecorder peerProtocolRecorder() {
        return new PeerProtocolRecorder();
    }

    /** Records {@code request.getProtocol()} of every request to the peer endpoints. */
    static final class PeerProtocolRecorder extends OncePerRequestFilter {

        final List<String> protocols = new CopyOnWriteArrayList<>();

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (request.getRequestURI().contains("/replication/v1/")) {
                protocols.add(request.getProtocol());
            }
            chain.doFilter(request, response);
        }
    }
}
