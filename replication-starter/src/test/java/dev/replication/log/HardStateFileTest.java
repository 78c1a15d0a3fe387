package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.replication.core.HardState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hard state is replaced atomically and durably. */
class HardStateFileTest {

    private static final Path DIR = Path.of("/sim/node-1");

    private final CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();

    private HardStateFile hardState() throws Exception {
        files.createDirectories(DIR);
        return new HardStateFile(DIR.resolve("hard-state"), files);
    }

    @Test
    void aNodeThatNeverSavedLoadsTheInitialState() throws Exception {
        assertThat(hardState().load()).isEqualTo(HardState.INITIAL);
    }

    @Test
    void aSavedStateSurvivesACrash() throws Exception {
        hardState().save(new HardState(7, "n2"));

        files.crash();

        assertThat(hardState().load()).isEqualTo(new HardState(7, "n2"));
    }

    @Test
    void aStateWithoutAVoteRoundTrips() throws Exception {
        HardStateFile file = hardState();
        file.save(new HardState(3, "n1"));

        file.save(new HardState(4, null));

        files.crash();
        assertThat(hardState().load()).isEqualTo(new HardState(4, null));
    }

    @Test
    void aCrashDuringASaveLeavesThePreviousState() throws Exception {
        HardStateFile file = hardState();
        file.save(new HardState(5, "n1"));
        files.holdForces();
        CompletableFuture<Void> saving = CompletableFuture.runAsync(() -> file.save(new HardState(6, "n3")));
        await().atMost(Duration.ofSeconds(10)).until(() -> files.heldForces() == 1);

        files.crash();
        files.releaseForces();

        assertThatThrownBy(saving::join).hasCauseInstanceOf(WriteAheadLogException.class);
        assertThat(hardState().load()).isEqualTo(new HardState(5, "n1"));
    }

    @Test
    void aFileWithBothSlotsDamagedIsRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("hard-state");
        new HardStateFile(path).save(new HardState(9, "n1"));
        byte[] bytes = Files.readAllBytes(path);
        bytes[20] ^= 0x5A;
        bytes[HardStateFile.SLOT_BYTES + 20] ^= 0x5A;
        Files.write(path, bytes);

        assertThatThrownBy(() -> new HardStateFile(path).load())
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining("checksum");
    }

    @Test
    void aTornNewestSlotLeavesTheStateBeforeIt(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("hard-state");
        HardStateFile file = new HardStateFile(path);
        file.save(new HardState(4, "n1"));
        file.save(new HardState(5, "n2")); // sequence 2: the first slot
        byte[] bytes = Files.readAllBytes(path);
        bytes[20] ^= 0x5A; // the generation of the newest state, as a torn write leaves it
        Files.write(path, bytes);

        assertThat(new HardStateFile(path).load()).isEqualTo(new HardState(4, "n1"));
    }

    @Test
    void savingNeedsNoFreeSpaceOnceTheFileExists() throws Exception {
        HardStateFile file = hardState();
        file.load();
        files.failWritesAfter(0);

        for (long generation = 1; generation <= 5; generation++) {
            file.save(new HardState(generation, "n" + generation));
        }

        files.crash();
        assertThat(hardState().load()).isEqualTo(new HardState(5, "n5"));
    }

    @Test
    void aVersionOneFileIsReadAndRewrittenInTheSlotFormat(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("hard-state");
        byte[] votedFor = "n2".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer legacy = java.nio.ByteBuffer.allocate(4 + 4 + 8 + 4 + votedFor.length + 4);
        legacy.putInt(0x52574853).putInt(1).putLong(12).putInt(votedFor.length).put(votedFor);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(legacy.array(), 0, legacy.position());
        legacy.putInt((int) crc.getValue());
        Files.write(path, legacy.array());

        assertThat(new HardStateFile(path).load()).isEqualTo(new HardState(12, "n2"));
        assertThat(Files.size(path)).isEqualTo(2L * HardStateFile.SLOT_BYTES);
        assertThat(new HardStateFile(path).load()).isEqualTo(new HardState(12, "n2"));
    }

    @Test
    void savingOnRealFilesLeavesNoTemporaryFileBehind(@TempDir Path dir) throws Exception {
        HardStateFile file = new HardStateFile(dir.resolve("hard-state"));

        file.save(new HardState(1, "n1"));
        file.save(new HardState(2, "n2"));

        assertThat(file.load()).isEqualTo(new HardState(2, "n2"));
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("hard-state");
        }
    }
}
