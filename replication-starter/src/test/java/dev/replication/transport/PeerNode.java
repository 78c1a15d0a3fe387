package dev.replication.transport;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** One node under test: a Spring Boot application on a random port with a recording handler. */
final class PeerNode implements AutoCloseable {

    final String id;
    final ConfigurableApplicationContext context;
    final RecordingHandler handler = new RecordingHandler();

    private PeerNode(String id, ConfigurableApplicationContext context) {
        this.id = id;
        this.context = context;
    }

    /** Starts node {@code id} from {@code application}; {@code properties} override defaults. */
    static PeerNode start(Class<?> application, String id, String... properties) {
        PeerNode node = startWithoutHandler(application, id, properties);
        node.transport().start(node.handler);
        return node;
    }

    /** Starts the application but not the transport: its endpoint has no handler yet. */
    static PeerNode startWithoutHandler(Class<?> application, String id, String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "test.node-id=" + id,
                // These tests drive the transport alone: no replication node of the starter.
                "replication.enabled=false",
                "server.port=0",
                "server.http2.enabled=true",
                "spring.main.banner-mode=off",
                "management.endpoints.access.default=none",
                "logging.level.org.springframework=warn",
                "logging.level.org.apache=warn"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .properties(all.toArray(String[]::new))
                .run();
        return new PeerNode(id, context);
    }

    /** Tells every node the URL of every other node (ports are known only after startup). */
    static void connect(List<PeerNode> nodes) {
        Map<String, URI> peers = new HashMap<>();
        nodes.forEach(node -> peers.put(node.id, node.uri()));
        nodes.forEach(node -> node.transport().updatePeers(peers));
    }

    Http2PeerTransport transport() {
        return context.getBean(Http2PeerTransport.class);
    }

    int port() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** This node's base URL, including its context path. */
    URI uri() {
        String contextPath = context.getEnvironment().getProperty("server.servlet.context-path", "");
        return URI.create("http://127.0.0.1:" + port() + contextPath);
    }

    /** Protocols of the peer requests this node's server has seen. */
    List<String> peerRequestProtocols() {
        return context.getBean(PeerNodeConfiguration.PeerProtocolRecorder.class).protocols;
    }

    @Override
    public void close() {
        context.close();
    }
}
