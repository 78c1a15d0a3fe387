package dev.replication.sample;

import static org.awaitility.Awaitility.await;

import dev.replication.api.Leadership;
import dev.replication.testsupport.process.FreePorts;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the tests that run several sample nodes in one JVM share: free ports for n1..nN and the
 * peers string naming them, and waiting for a leader among the started nodes. (Start the nodes
 * one after another: Spring Boot's logging setup is not safe to run from several threads.)
 */
final class InProcessNodes {

    private InProcessNodes() {}

    /** Puts a free port for each of n1..n{count} into {@code ports}; returns the replication.peers value. */
    static String assignPorts(int count, Map<String, Integer> ports) {
        List<Integer> free = FreePorts.several(count);
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String id = "n" + (i + 1);
            ports.put(id, free.get(i));
            peers.append(i == 0 ? "" : ",")
                    .append(id)
                    .append("=http://127.0.0.1:")
                    .append(free.get(i));
        }
        return peers.toString();
    }

    /** The id of the node that leads, once one of {@code nodes} does (at most a minute). */
    static String awaitLeader(Collection<ConfigurableApplicationContext> nodes) {
        return await("a leader")
                .atMost(Duration.ofSeconds(60))
                .until(
                        () -> nodes.stream()
                                .map(node -> node.getBean(Leadership.class))
                                .filter(Leadership::isLeader)
                                .map(Leadership::nodeId)
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }
}
