package dev.replication.runtime;

import dev.replication.testsupport.process.FreePorts;
import dev.replication.transport.ClusterCredential;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The cluster suite over real HTTP/2 between three Spring web applications. A partition is a
 * servlet filter that refuses peer requests to or from an isolated node.
 */
class Http2ReplicationClusterTest extends ReplicationClusterSuite {

    static final Set<String> ISOLATED = ConcurrentHashMap.newKeySet();
    static final Map<String, Integer> PORTS = new LinkedHashMap<>();

    static {
        // Chosen together: ports chosen one at a time can repeat.
        java.util.List<Integer> chosen = FreePorts.several(NODES.size());
        for (int i = 0; i < NODES.size(); i++) {
            PORTS.put(NODES.get(i), chosen.get(i));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Partitions {
        @Bean
        Filter partitionFilter(Environment environment) {
            String self = environment.getRequiredProperty("replication.node-id");
            return (request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                String sender = http.getHeader(ClusterCredential.SENDER_HEADER);
                if (http.getRequestURI().contains("/replication/v1/")
                        && (ISOLATED.contains(self) || (sender != null && ISOLATED.contains(sender)))) {
                    ((HttpServletResponse) response).sendError(503, "partitioned by the test");
                    return;
                }
                chain.doFilter(request, response);
            };
        }
    }

    @Override
    Map<String, Object> transportProperties(String nodeId) {
        StringBuilder peers = new StringBuilder();
        PORTS.forEach((id, port) -> peers.append(peers.length() == 0 ? "" : ",")
                .append(id)
                .append("=http://127.0.0.1:")
                .append(port));
        return Map.of(
                "replication.peers",
                peers.toString(),
                "replication.peer.cluster-secret",
                "a-test-secret-of-enough-length",
                "server.port",
                PORTS.getOrDefault(nodeId, 0),
                "server.address",
                "127.0.0.1");
    }

    @Override
    Class<?>[] transportConfiguration() {
        return new Class<?>[] {Partitions.class};
    }

    @Override
    boolean web() {
        return true;
    }

    @Override
    void isolate(String nodeId) {
        ISOLATED.add(nodeId);
    }

    @Override
    void heal() {
        ISOLATED.clear();
    }
}
