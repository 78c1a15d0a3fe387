package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.log.DataDirectory;
import dev.replication.log.LowWaterMarkFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turning checkpoints off on a data directory whose log was compacted below a checkpoint would
 * start the node with a hole in its state: startup refuses, naming the property.
 */
class CheckpointsDisabledAfterCompactionTest {

    @TempDir
    Path dataDir;

    @Test
    void aNodeWhoseLogWasCompactedRefusesToStartWithCheckpointsDisabled() throws Exception {
        ReplicationProperties properties = new ReplicationProperties();
        properties.setDataDir(dataDir);
        properties.getCheckpoint().setEnabled(false);
        ReplicationSetup setup = ReplicationSetup.from(properties);
        try (DataDirectory directory = DataDirectory.open(dataDir, setup.clusterId(), setup.nodeId())) {
            new LowWaterMarkFile(directory.lowWaterMarkFile()).save(new LowWaterMarkFile.Mark(100_000, 3));
        }

        assertThatThrownBy(() -> NodeStorage.open(setup).close())
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageContaining("replication.checkpoint.enabled is false")
                .hasMessageContaining("100000");
    }
}
