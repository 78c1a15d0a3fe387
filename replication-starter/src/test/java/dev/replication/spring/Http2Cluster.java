package dev.replication.spring;

import static org.awaitility.Awaitility.await;

import dev.replication.core.Role;
import dev.replication.runtime.ReplicationNode;
import dev.replication.testsupport.process.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Three (or more) Spring web applications in this JVM forming one cluster over real HTTP/2 on
 * loopback, for tests that use the starter as an application would.
 */
final class Http2Cluster implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    static {
        // Tests stop nodes on purpose; an exception a dying web server throws on its own threads
        // is not a failure of the test (Awaitility reports those by default).
        org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private final Class<?>[] sources;
    private final Path dataRoot;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, ConfigurableApplicationContext> contexts = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> nodeProperties = new LinkedHashMap<>();

    Http2Cluster(Path dataRoot, List<String> nodeIds, Class<?>... sources) {
        this.dataRoot = dataRoot;
        this.sources = sources;
        // Chosen together: ports chosen one at a time can repeat (seen: n1 and n2 given one port).
        List<Integer> chosen = FreePorts.several(nodeIds.size());
        for (int i = 0; i < nodeIds.size(); i++) {
            ports.put(nodeIds.get(i), chosen.get(i));
        }
    }

    /** Properties for one node only, over the common ones (for nodes configured unlike the rest). */
    Http2Cluster withNodeProperties(String nodeId, Map<String, Object> properties) {
        nodeProperties.put(nodeId, Map.copyOf(properties));
        return this;
    }

    Http2Cluster startAll() {
        ports.keySet().forEach(this::start);
        awaitLeader();
        return this;
    }

    ConfigurableApplicationContext start(String nodeId) {
        StringBuilder peers = new StringBuilder();
        ports.forEach((id, port) -> peers.append(peers.length() == 0 ? "" : ",")
                .append(id)
                .append("=http://127.0.0.1:")
                .append(port));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("replication.node-id", nodeId);
        properties.put("replication.peers", peers.toString());
        properties.put("replication.peer.cluster-secret", "a-test-secret-of-enough-length");
        properties.put("replication.data-dir", dataRoot.resolve(nodeId).toString());
        properties.put("replication.election.timeout", "1500ms");
        properties.put("replication.election.heartbeat-interval", "150ms");
        properties.put("server.port", ports.get(nodeId));
        properties.put("server.address", "127.0.0.1");
        properties.put("management.endpoints.web.exposure.include", "health,replication");
        properties.put("management.endpoint.health.show-details", "always");
        properties.put("spring.main.banner-mode", "off");
        properties.putAll(nodeProperties.getOrDefault(nodeId, Map.of()));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources)
                .web(WebApplicationType.SERVLET)
                .properties(properties)
                .run();
        contexts.put(nodeId, context);
        return context;
    }

    void stop(String nodeId) {
        ConfigurableApplicationContext context = contexts.remove(nodeId);
        if (context != null) {
            context.close();
        }
    }

    <T> T bean(String nodeId, Class<T> type) {
        return contexts.get(nodeId).getBean(type);
    }

    String url(String nodeId, String path) {
        return "http://127.0.0.1:" + ports.get(nodeId) + path;
    }

    java.util.Set<String> running() {
        return contexts.keySet();
    }

    String awaitLeader() {
        String[] leader = new String[1];
        await().atMost(WAIT).until(() -> {
            List<String> leaders = contexts.keySet().stream()
                    .filter(id -> bean(id, ReplicationNode.class).roleState().role() == Role.LEADER)
                    .toList();
            boolean agreed = leaders.size() == 1
                    && contexts.keySet().stream()
                            .allMatch(id -> leaders.get(0)
                                    .equals(bean(id, ReplicationNode.class)
                                            .roleState()
                                            .leaderId()));
            leader[0] = agreed ? leaders.get(0) : null;
            return agreed;
        });
        return leader[0];
    }

    List<String> followers() {
        String leader = awaitLeader();
        return contexts.keySet().stream().filter(id -> !id.equals(leader)).toList();
    }

    @Override
    public void close() {
        contexts.values().forEach(ConfigurableApplicationContext::close);
        contexts.clear();
    }
}
