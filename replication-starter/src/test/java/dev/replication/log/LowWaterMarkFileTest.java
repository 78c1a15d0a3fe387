package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Low-Water Mark is replaced atomically and durably, and damage is refused. */
class LowWaterMarkFileTest {

    private static final Path DIR = Path.of("/sim/node-1");

    private final CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();

    private LowWaterMarkFile mark() throws Exception {
        files.createDirectories(DIR);
        return new LowWaterMarkFile(DIR.resolve("low-water-mark"), files);
    }

    @Test
    void aNodeThatNeverCompactedHasNoMark() throws Exception {
        assertThat(mark().load()).isEqualTo(LowWaterMarkFile.Mark.NONE);
    }

    @Test
    void aSavedMarkSurvivesACrash() throws Exception {
        mark().save(new LowWaterMarkFile.Mark(100_000, 3));

        files.crash();

        assertThat(mark().load()).isEqualTo(new LowWaterMarkFile.Mark(100_000, 3));
    }

    @Test
    void aMarkThatCouldNotBeWrittenLeavesThePreviousOne() throws Exception {
        LowWaterMarkFile file = mark();
        file.save(new LowWaterMarkFile.Mark(10, 1));
        files.failWritesAfter(0);

        assertThatThrownBy(() -> file.save(new LowWaterMarkFile.Mark(20, 2))).hasMessageContaining("No space");

        files.failWritesAfter(Long.MAX_VALUE);
        files.crash();
        assertThat(mark().load()).isEqualTo(new LowWaterMarkFile.Mark(10, 1));
    }

    @Test
    void aDamagedMarkIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("low-water-mark");
        new LowWaterMarkFile(path).save(new LowWaterMarkFile.Mark(7, 2));
        byte[] bytes = Files.readAllBytes(path);
        bytes[12] ^= 0x01;
        Files.write(path, bytes);

        assertThatThrownBy(() -> new LowWaterMarkFile(path).load())
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining("checksum");
    }
}
