package dev.replication.bench;

import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.core.Role;
import dev.replication.runtime.ReplicationNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Load generator, run by hand ({@code bench/run-cluster}): three nodes in this JVM replicating
 * over real HTTP/2 on loopback with fsync on, {@code writers} threads putting 100-byte values
 * through {@code @Replicated} maps, spread over all nodes (writes on followers are forwarded)
 * or sent to the leader only. Prints puts/s and client latency percentiles, and the nodes' own
 * timers (log persist = write + fsync, leader commit latency, entries per fsync) to show where
 * the time goes. Figures, never assertions.
 */
public final class ClusterPutLoad {

    static class Writer {
        @Replicated("bench")
        ReplicatedMap<String, String> map;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class BenchNode {
        @Bean
        Writer writer() {
            return new Writer();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    public static void main(String[] args) throws Exception {
        int writers = Integer.getInteger("writers", 64);
        int seconds = Integer.getInteger("seconds", 20);
        boolean leaderOnly = Boolean.getBoolean("leaderOnly");
        // put | linearizable | stale: what each worker does in its loop
        String mode = System.getProperty("mode", "put");
        Path data = Files.createTempDirectory("cluster-put-load");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String node : List.of("n1", "n2", "n3")) {
            ports.put(node, freePort());
        }
        StringBuilder peers = new StringBuilder();
        ports.forEach((id, port) -> peers.append(peers.length() == 0 ? "" : ",")
                .append(id)
                .append("=http://127.0.0.1:")
                .append(port));
        Map<String, ConfigurableApplicationContext> nodes = new LinkedHashMap<>();
        try {
            for (String node : ports.keySet()) {
                nodes.put(
                        node,
                        new SpringApplicationBuilder(BenchNode.class)
                                .web(WebApplicationType.SERVLET)
                                .properties(
                                        "replication.node-id=" + node,
                                        "replication.peers=" + peers,
                                        "replication.peer.cluster-secret=benchmark-secret-0123456789",
                                        "replication.data-dir=" + data.resolve(node),
                                        "server.port=" + ports.get(node),
                                        "server.address=127.0.0.1",
                                        "spring.main.banner-mode=off",
                                        "logging.level.root=warn")
                                .run());
            }
            String leader = awaitLeader(nodes);
            List<String> targets = leaderOnly ? List.of(leader) : List.copyOf(nodes.keySet());
            String value = "x".repeat(100);
            warmUp(nodes.get(leader).getBean(Writer.class).map, value);

            ExecutorService pool = Executors.newFixedThreadPool(writers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<long[]>> results = new ArrayList<>();
            long started = System.nanoTime();
            for (int w = 0; w < writers; w++) {
                ReplicatedMap<String, String> map =
                        nodes.get(targets.get(w % targets.size())).getBean(Writer.class).map;
                int writer = w;
                results.add(pool.submit(() -> {
                    long[] latencies = new long[1 << 16];
                    int count = 0;
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        String key = "w" + writer + "-" + (count % 1000);
                        if (mode.equals("put")) {
                            map.put(key, value);
                        } else {
                            map.read(mode.equals("stale") ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE)
                                    .get("warm-" + (count % 100));
                        }
                        if (count == latencies.length) {
                            latencies = Arrays.copyOf(latencies, count * 2);
                        }
                        latencies[count++] = System.nanoTime() - t0;
                    }
                    return Arrays.copyOf(latencies, count);
                }));
            }
            List<long[]> perWriter = new ArrayList<>();
            for (Future<long[]> result : results) {
                perWriter.add(result.get());
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            pool.shutdown();
            long[] all =
                    perWriter.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            System.out.printf(
                    "%n[cluster] 3 nodes, %d workers (%s), %s of 100-byte values, %d s: %d ops, %.0f ops/s%n",
                    writers,
                    leaderOnly ? "all on the leader" : "spread over all nodes",
                    mode.equals("put") ? "puts" : mode + " reads",
                    seconds,
                    all.length,
                    all.length / elapsed);
            System.out.printf(
                    "[client] latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), all[all.length - 1] / 1e6);
            for (String node : nodes.keySet()) {
                MeterRegistry registry = nodes.get(node).getBean(MeterRegistry.class);
                Timer persist = registry.find("replication.log.persist").timer();
                Timer commit = registry.find("replication.commit.latency").timer();
                double batch =
                        registry.find("replication.log.append.batch").summary().mean();
                System.out.printf(
                        "[%s%s] persist (write+fsync) n=%d %s | commit %s | entries per fsync %.1f%n",
                        node,
                        node.equals(leader) ? ", leader" : "",
                        persist.count(),
                        percentiles(persist),
                        commit == null || commit.count() == 0 ? "-" : percentiles(commit),
                        batch);
            }
        } finally {
            nodes.values().forEach(ConfigurableApplicationContext::close);
        }
    }

    private static void warmUp(ReplicatedMap<String, String> map, String value) {
        for (int i = 0; i < 2000; i++) {
            map.put("warm-" + (i % 100), value);
        }
    }

    private static String percentiles(Timer timer) {
        StringBuilder text = new StringBuilder();
        for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
            text.append(String.format("p%.0f %.2f ms ", p.percentile() * 100, p.value(TimeUnit.MILLISECONDS)));
        }
        return text.toString().trim();
    }

    private static double pct(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    private static String awaitLeader(Map<String, ConfigurableApplicationContext> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Map.Entry<String, ConfigurableApplicationContext> node : nodes.entrySet()) {
                if (node.getValue().getBean(ReplicationNode.class).roleState().role() == Role.LEADER) {
                    return node.getKey();
                }
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("no leader elected within 30 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
