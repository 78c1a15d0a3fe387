package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's data directory is locked, stamped on first start and checked on later ones. */
class DataDirectoryTest {

    @TempDir
    Path root;

    @Test
    void theFirstStartStampsTheIdentityWithARandomIncarnation() {
        DataDirectory.Identity first;
        DataDirectory.Identity second;
        try (DataDirectory node1 = DataDirectory.open(root.resolve("n1"), "cluster-a", "n1");
                DataDirectory node2 = DataDirectory.open(root.resolve("n2"), "cluster-a", "n2")) {
            first = node1.identity();
            second = node2.identity();
            assertThat(node1.freshlyCreated()).isTrue();
        }

        assertThat(first.clusterId()).isEqualTo("cluster-a");
        assertThat(first.nodeId()).isEqualTo("n1");
        assertThat(first.incarnationId()).isNotBlank().isNotEqualTo(second.incarnationId());
        assertThat(root.resolve("n1").resolve(DataDirectory.IDENTITY_FILE)).exists();
    }

    @Test
    void aLaterStartKeepsTheStampedIdentity() {
        DataDirectory.Identity stamped;
        try (DataDirectory dir = DataDirectory.open(root, "cluster-a", "n1")) {
            stamped = dir.identity();
        }

        try (DataDirectory dir = DataDirectory.open(root, "cluster-a", "n1")) {
            assertThat(dir.identity()).isEqualTo(stamped);
            assertThat(dir.freshlyCreated()).isFalse();
        }
    }

    @Test
    void itExposesTheLogDirectoryAndTheHardStateFile() {
        try (DataDirectory dir = DataDirectory.open(root, "cluster-a", "n1")) {
            assertThat(dir.logDirectory()).isEqualTo(root.toAbsolutePath().resolve("log"));
            assertThat(dir.hardStateFile()).isEqualTo(root.toAbsolutePath().resolve("hard-state"));
        }
    }

    @Test
    void aSecondOpenInTheSameJvmIsRefusedNamingTheDirectory() {
        try (DataDirectory ignored = DataDirectory.open(root, "cluster-a", "n1")) {
            assertThatThrownBy(() -> DataDirectory.open(root, "cluster-a", "n1"))
                    .isInstanceOf(WriteAheadLogException.class)
                    .hasMessageContaining(root.toAbsolutePath().toString())
                    .hasMessageContaining("already open in this JVM")
                    .hasMessageContaining("replication.data-dir");
        }
    }

    @Test
    void closingReleasesTheLock() {
        DataDirectory.open(root, "cluster-a", "n1").close();

        try (DataDirectory again = DataDirectory.open(root, "cluster-a", "n1")) {
            assertThat(again.identity().nodeId()).isEqualTo("n1");
        }
    }

    @Test
    void aDirectoryHeldByAnotherProcessIsRefused() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DataDirectoryHolder.class.getName(),
                        root.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("LOCKED");

            assertThatThrownBy(() -> DataDirectory.open(root, "c1", "n1"))
                    .isInstanceOf(WriteAheadLogException.class)
                    .hasMessageContaining(root.toAbsolutePath().toString())
                    .hasMessageContaining("locked by another process")
                    .hasMessageContaining("Stop the other process");
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(20, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
    }

    @Test
    void aDirectoryOfAnotherClusterIsRefused() {
        DataDirectory.open(root, "cluster-a", "n1").close();

        assertThatThrownBy(() -> DataDirectory.open(root, "cluster-b", "n1"))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("belongs to cluster 'cluster-a'")
                .hasMessageContaining("configured for cluster 'cluster-b'");
    }

    @Test
    void aDirectoryOfAnotherNodeIsRefused() {
        DataDirectory.open(root, "cluster-a", "n1").close();

        assertThatThrownBy(() -> DataDirectory.open(root, "cluster-a", "n2"))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("belongs to node 'n1'")
                .hasMessageContaining("configured as 'n2'");
    }

    @Test
    void aRefusedOpenReleasesTheLock() {
        DataDirectory.open(root, "cluster-a", "n1").close();
        assertThatThrownBy(() -> DataDirectory.open(root, "cluster-a", "n2"))
                .isInstanceOf(WriteAheadLogException.class);

        try (DataDirectory dir = DataDirectory.open(root, "cluster-a", "n1")) {
            assertThat(dir.identity().nodeId()).isEqualTo("n1");
        }
    }

    @Test
    void dataWithoutAnIdentityIsRefused() throws Exception {
        Files.createDirectories(root.resolve("log"));

        assertThatThrownBy(() -> DataDirectory.open(root, "cluster-a", "n1"))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("holds data but no " + DataDirectory.IDENTITY_FILE);
    }

    @Test
    void idsWithSpecialCharactersRoundTrip() {
        DataDirectory.open(root, "sha256:ab=cd e#f", "node:1").close();

        try (DataDirectory dir = DataDirectory.open(root, "sha256:ab=cd e#f", "node:1")) {
            assertThat(dir.identity().clusterId()).isEqualTo("sha256:ab=cd e#f");
        }
    }
}
