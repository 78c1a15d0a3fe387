package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.runtime.ReplicationNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Conditions and property validation of the auto-configuration, each with its message. */
@ExtendWith(OutputCaptureExtension.class)
class ReplicationAutoConfigurationTest {

    @TempDir
    Path dataDir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    ReplicationAutoConfiguration.class,
                    ReplicationActuatorAutoConfiguration.class,
                    ReplicationMetricsAutoConfiguration.class));

    private ApplicationContextRunner singleNode() {
        return runner.withPropertyValues("replication.data-dir=" + dataDir);
    }

    record Item(String name, int quantity) {}

    static class Inventory {
        @Replicated("inventory")
        ReplicatedMap<String, Item> items;
    }

    static class Orders {
        final ReplicatedMap<String, Long> orders;

        Orders(@Replicated("orders") ReplicatedMap<String, Long> orders) {
            this.orders = orders;
        }
    }

    static class Conflicting {
        @Replicated("inventory")
        ReplicatedMap<String, Long> items;
    }

    @Configuration(proxyBeanMethods = false)
    static class InventoryApp {
        @Bean
        Inventory inventory() {
            return new Inventory();
        }

        @Bean
        Orders orders(@Replicated("orders") ReplicatedMap<String, Long> orders) {
            return new Orders(orders);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ConflictingApp {
        @Bean
        Inventory inventory() {
            return new Inventory();
        }

        @Bean
        Conflicting conflicting() {
            return new Conflicting();
        }
    }

    @Test
    void aSingleNodeStartsWithNoPeersConfigured() {
        singleNode().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ReplicationNode.class);
            assertThat(context.getBean(ReplicationNode.class).nodeId()).isEqualTo("local");
        });
    }

    @Test
    void aSingleNodeSaysAtStartThatItIsAClusterOfOneAndWhereItsDataIs(CapturedOutput output) {
        singleNode().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(output)
                    .containsOnlyOnce("replication: node local runs as a cluster of one"
                            + " (replication.peers lists no other node); data in " + dataDir.toAbsolutePath() + ";");
        });
    }

    @Test
    void aNodeOfSeveralSaysAtStartWhoItsPeersAreAndWhereItsDataIs(CapturedOutput output) {
        singleNode()
                .withPropertyValues(
                        "replication.node-id=n1",
                        "replication.peers=n1=http://a:1,n2=http://b:1",
                        "replication.peer.cluster-secret=a-test-secret-of-enough-length")
                .withBean(
                        dev.replication.transport.PeerTransport.class,
                        () -> new dev.replication.transport.InMemoryPeerNetwork().transportFor("n1"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(output).containsOnlyOnce("replication: node n1 runs in a cluster of 2 nodes [n1, n2]");
                    assertThat(output).contains("data in " + dataDir.toAbsolutePath());
                });
    }

    @Test
    void replicatedMapsAreInjectedIntoFieldsAndParametersAndWork() {
        singleNode().withUserConfiguration(InventoryApp.class).run(context -> {
            Inventory inventory = context.getBean(Inventory.class);
            Orders orders = context.getBean(Orders.class);

            inventory.items.put("apple", new Item("apple", 3));
            orders.orders.put("o-1", 42L);

            assertThat(inventory.items.get("apple")).isEqualTo(new Item("apple", 3));
            assertThat(orders.orders.get("o-1")).isEqualTo(42L);
            assertThat(context).doesNotHaveBean("inventory-map").doesNotHaveBean("orders-map");
        });
    }

    @Test
    void theSameMapNameWithOtherTypesFailsStartupNamingBothDeclarations() {
        singleNode()
                .withUserConfiguration(ConflictingApp.class)
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("'inventory'")
                        .hasMessageContaining("Inventory.items")
                        .hasMessageContaining("Conflicting.items"));
    }

    @Test
    void writesAreMeasuredUnderReplicationMetrics() {
        singleNode()
                .withUserConfiguration(InventoryApp.class)
                .withBean(
                        io.micrometer.core.instrument.MeterRegistry.class,
                        io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)
                .run(context -> {
                    context.getBean(Orders.class).orders.put("o-2", 7L);

                    io.micrometer.core.instrument.MeterRegistry registry =
                            context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
                    assertThat(registry.get("replication.commit.latency")
                                    .timer()
                                    .count())
                            .isPositive();
                    assertThat(registry.get("replication.log.persist").timer().count())
                            .isPositive();
                    assertThat(registry.get("replication.log.append.batch")
                                    .summary()
                                    .count())
                            .isPositive();
                    assertThat(registry.get("replication.leader.changes")
                                    .counter()
                                    .count())
                            .isPositive();
                    assertThat(registry.get("replication.apply.lag").gauge().value())
                            .isZero();
                });
    }

    @Test
    void checkpointsAreMeasuredUnderReplicationMetrics() {
        singleNode()
                .withUserConfiguration(InventoryApp.class)
                .withPropertyValues("replication.checkpoint.every-entries=3")
                .withBean(
                        io.micrometer.core.instrument.MeterRegistry.class,
                        io.micrometer.core.instrument.simple.SimpleMeterRegistry::new)
                .run(context -> {
                    for (long i = 0; i < 5; i++) {
                        context.getBean(Orders.class).orders.put("o-" + i, i);
                    }

                    io.micrometer.core.instrument.MeterRegistry registry =
                            context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
                    org.awaitility.Awaitility.await()
                            .atMost(java.time.Duration.ofSeconds(20))
                            .until(() -> registry.get("replication.checkpoint.index")
                                            .gauge()
                                            .value()
                                    >= 3);
                    assertThat(registry.get("replication.checkpoint.duration")
                                    .timer()
                                    .count())
                            .isPositive();
                    assertThat(registry.get("replication.checkpoint.size")
                                    .gauge()
                                    .value())
                            .as("bytes of the checkpoint store")
                            .isPositive();
                    assertThat(registry.get("replication.snapshot.transfers")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(registry.get("replication.snapshot.transfer.remaining")
                                    .gauge()
                                    .value())
                            .isZero();
                });
    }

    /** Collects leadership events as an application listener would. */
    static class LeadershipLog {
        final java.util.List<Object> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @org.springframework.context.event.EventListener
        void granted(dev.replication.api.LeadershipGrantedEvent event) {
            events.add(event);
        }

        @org.springframework.context.event.EventListener
        void revoked(dev.replication.api.LeadershipRevokedEvent event) {
            events.add(event);
        }
    }

    @Test
    void aNodeThatBecomesLeaderPublishesLeadershipGrantedWithItsGeneration() {
        singleNode().withBean(LeadershipLog.class).run(context -> {
            LeadershipLog log = context.getBean(LeadershipLog.class);

            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> !log.events.isEmpty());

            assertThat(log.events.get(0))
                    .isInstanceOfSatisfying(dev.replication.api.LeadershipGrantedEvent.class, granted -> {
                        assertThat(granted.nodeId()).isEqualTo("local");
                        assertThat(granted.generation())
                                .isEqualTo(context.getBean(ReplicationNode.class)
                                        .roleState()
                                        .generation());
                    });
        });
    }

    @Test
    void aValueOverTheConfiguredLimitIsRefusedAndNothingIsWritten() {
        singleNode()
                .withUserConfiguration(InventoryApp.class)
                .withPropertyValues("replication.map.max-value-size=64B")
                .run(context -> {
                    Inventory inventory = context.getBean(Inventory.class);

                    org.assertj.core.api.Assertions.assertThatThrownBy(
                                    () -> inventory.items.put("big", new Item("x".repeat(100), 1)))
                            .isInstanceOf(dev.replication.api.EntryTooLargeException.class)
                            .hasMessageContaining("replication.map.max-value-size");
                    assertThat(inventory.items.get("big")).isNull();
                });
    }

    @Test
    void aValueLimitBeyondWhatOneRequestCarriesFailsStartup() {
        singleNode()
                .withPropertyValues("replication.map.max-value-size=1GB")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("replication.map.max-value-size"));
    }

    @Test
    void aLeaderThatShutsDownPublishesLeadershipRevokedForItsGeneration() {
        LeadershipLog[] log = new LeadershipLog[1];
        singleNode().withBean(LeadershipLog.class).run(context -> {
            log[0] = context.getBean(LeadershipLog.class);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> !log[0].events.isEmpty());
        });

        assertThat(log[0].events).hasSize(2);
        dev.replication.api.LeadershipEvent granted = (dev.replication.api.LeadershipEvent) log[0].events.get(0);
        assertThat(log[0].events.get(1))
                .isInstanceOfSatisfying(
                        dev.replication.api.LeadershipRevokedEvent.class,
                        revoked -> assertThat(revoked.generation()).isEqualTo(granted.generation()));
    }

    @Test
    void disabledByProperty() {
        singleNode()
                .withPropertyValues("replication.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ReplicationNode.class));
    }

    @Test
    void aMissingNodeIdWithPeersFailsStartupSayingWhatToSet() {
        singleNode()
                .withPropertyValues("replication.peers=n1=http://a:1,n2=http://b:1")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("replication.node-id is not set"));
    }

    @Test
    void aNodeIdNotAmongThePeersFailsStartup() {
        singleNode()
                .withPropertyValues(
                        "replication.node-id=n9",
                        "replication.peers=n1=http://a:1,n2=http://b:1",
                        "replication.peer.cluster-secret=0123456789abcdef0123")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("'n9' is not among replication.peers"));
    }

    @Test
    void duplicatePeerIdsFailStartup() {
        singleNode()
                .withPropertyValues("replication.node-id=n1", "replication.peers=n1=http://a:1,n1=http://b:1")
                .run(context ->
                        assertThat(context).getFailure().rootCause().hasMessageContaining("lists node id 'n1' twice"));
    }

    @Test
    void aMalformedPeerUrlFailsStartup() {
        singleNode()
                .withPropertyValues("replication.node-id=n1", "replication.peers=n1=ftp://a:1,n2=http://b:1")
                .run(context ->
                        assertThat(context).getFailure().rootCause().hasMessageContaining("must start with http://"));
    }

    @Test
    void aMultiNodeClusterWithoutASecretFailsStartup() {
        singleNode()
                .withPropertyValues("replication.node-id=n1", "replication.peers=n1=http://a:1,n2=http://b:1")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("replication.peer.cluster-secret"));
    }

    @Test
    void withoutActuatorTheNodeStillStartsWithoutEndpointOrHealth() {
        singleNode()
                .withClassLoader(
                        new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(ReplicationNode.class)
                        .doesNotHaveBean(ReplicationEndpoint.class)
                        .doesNotHaveBean(ReplicationHealthIndicator.class));
    }

    @Test
    void inMemoryModeDeletesItsDataAtShutdown() {
        Path[] used = new Path[1];
        runner.withPropertyValues("replication.in-memory=true").run(context -> {
            used[0] = context.getBean(ReplicationSetup.class).dataDir();
            assertThat(used[0]).exists();
        });
        assertThat(used[0]).doesNotExist();
    }
}
