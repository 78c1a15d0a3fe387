package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.runtime.Backup;
import dev.replication.runtime.ReplicationNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A backup is a consistent copy of a node's state taken while it runs; a node started on an empty
 * data directory with replication.restore-from holds that state and takes new writes after it.
 */
class BackupAndRestoreTest {

    @TempDir
    Path root;

    static class Accounts {
        @Replicated("accounts")
        ReplicatedMap<String, Long> balances;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class BankApplication {
        @Bean
        Accounts accounts() {
            return new Accounts();
        }
    }

    private ConfigurableApplicationContext start(Path dataDir, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("replication.data-dir", dataDir.toString());
        properties.put("spring.main.banner-mode", "off");
        properties.putAll(extra);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BankApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .run();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> context.getBean(ReplicationNode.class).isLeader());
        return context;
    }

    @Test
    void aBackupTakenWhileTheNodeRunsRestoresAFreshNodeToThatState() throws Exception {
        Backup backup;
        try (ConfigurableApplicationContext original = start(root.resolve("original"), Map.of())) {
            ReplicatedMap<String, Long> balances = original.getBean(Accounts.class).balances;
            for (int i = 0; i < 50; i++) {
                balances.put("account-" + i, (long) i * 100);
            }

            backup = original.getBean(ReplicationNode.class).backup().get();

            assertThat(backup.index()).isGreaterThanOrEqualTo(50);
            assertThat(backup.file())
                    .exists()
                    .startsWith(root.resolve("original").resolve("backups"));
            assertThat(Files.size(backup.file())).isEqualTo(backup.bytes());
        }

        try (ConfigurableApplicationContext restored = start(
                root.resolve("restored"),
                Map.of("replication.restore-from", backup.file().toString()))) {
            ReplicatedMap<String, Long> balances = restored.getBean(Accounts.class).balances;
            assertThat(balances).hasSize(50).containsEntry("account-0", 0L).containsEntry("account-49", 4_900L);
            balances.put("account-50", 5_000L);
            assertThat(balances.get("account-50")).isEqualTo(5_000L);
            assertThat(restored.getBean(ReplicationNode.class).roleState().generation())
                    .isGreaterThanOrEqualTo(backup.generation());
        }
    }

    @Test
    void restoreFromIsIgnoredByANodeThatAlreadyHoldsState() throws Exception {
        Path dataDir = root.resolve("node");
        Backup backup;
        try (ConfigurableApplicationContext first = start(dataDir, Map.of())) {
            first.getBean(Accounts.class).balances.put("account-1", 1L);
            backup = first.getBean(ReplicationNode.class).backup().get();
            first.getBean(Accounts.class).balances.put("account-1", 2L);
        }

        try (ConfigurableApplicationContext again =
                start(dataDir, Map.of("replication.restore-from", backup.file().toString()))) {
            // Linearizable: right after a restart the local state may still be replaying the log.
            assertThat(again.getBean(Accounts.class)
                            .balances
                            .read(ReadConsistency.LINEARIZABLE)
                            .get("account-1"))
                    .isEqualTo(2L);
        }
    }
}
