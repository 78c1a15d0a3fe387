package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The crash model the log's tests rely on: what a power loss keeps and what it throws away. */
class CrashSimulatingFileLayerTest {

    private static final Path DIR = Path.of("/sim/dir");
    private static final Path FILE = DIR.resolve("file");

    private final CrashSimulatingFileLayer files = new CrashSimulatingFileLayer();

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private String content(Path file) throws IOException {
        try (FileLayer.FileHandle handle = files.open(file, false)) {
            ByteBuffer buf = ByteBuffer.allocate((int) handle.size());
            handle.read(buf, 0);
            return new String(buf.array(), StandardCharsets.UTF_8);
        }
    }

    private void createSynced(String text) throws IOException {
        files.createDirectories(DIR);
        try (FileLayer.FileHandle handle = files.open(FILE, true)) {
            handle.write(bytes(text), 0);
            handle.force();
        }
        files.syncDirectory(DIR);
    }

    @Test
    void forcedBytesSurviveACrashAndUnforcedOnesDoNot() throws Exception {
        createSynced("durable");
        try (FileLayer.FileHandle handle = files.open(FILE, false)) {
            handle.write(bytes("+lost"), 7);
        }

        files.crash();

        assertThat(content(FILE)).isEqualTo("durable");
    }

    @Test
    void aForcedFileWhoseDirectoryWasNotSyncedIsGoneAfterACrash() throws Exception {
        files.createDirectories(DIR);
        try (FileLayer.FileHandle handle = files.open(FILE, true)) {
            handle.write(bytes("data"), 0);
            handle.force();
        }

        files.crash();

        assertThat(files.exists(FILE)).isFalse();
    }

    @Test
    void aRenameIsUndoneByACrashUntilTheDirectoryIsSynced() throws Exception {
        createSynced("old");
        Path temp = DIR.resolve("file.tmp");
        try (FileLayer.FileHandle handle = files.open(temp, true)) {
            handle.write(bytes("new"), 0);
            handle.force();
        }
        files.moveAtomically(temp, FILE);

        files.crash();

        assertThat(content(FILE)).isEqualTo("old");
    }

    @Test
    void aDeletionIsUndoneByACrashUntilTheDirectoryIsSynced() throws Exception {
        createSynced("still here");
        files.delete(FILE);

        files.crash();

        assertThat(content(FILE)).isEqualTo("still here");
    }

    @Test
    void anUnforcedTruncationIsUndoneByACrash() throws Exception {
        createSynced("0123456789");
        try (FileLayer.FileHandle handle = files.open(FILE, false)) {
            handle.truncate(3);
        }

        files.crash();

        assertThat(content(FILE)).isEqualTo("0123456789");
    }

    @Test
    void aTornCrashKeepsOnlyAPrefixOfTheUnforcedTail() throws Exception {
        createSynced("head");
        try (FileLayer.FileHandle handle = files.open(FILE, false)) {
            handle.write(bytes("-tail-never-forced"), 4);
        }

        files.crashKeepingTornTails(new Random(3));

        assertThat("head-tail-never-forced").startsWith(content(FILE));
        assertThat(content(FILE)).startsWith("head");
    }

    @Test
    void aRandomPageCrashCanKeepALaterUnforcedPageWhileLosingAnEarlierOne() throws Exception {
        createSynced("head");
        int pages = 4;
        byte[] tail = new byte[pages * CrashSimulatingFileLayer.PAGE];
        java.util.Arrays.fill(tail, (byte) 'x');
        boolean sawHoleBeforeSurvivor = false;
        for (int seed = 0; seed < 50 && !sawHoleBeforeSurvivor; seed++) {
            try (FileLayer.FileHandle handle = files.open(FILE, false)) {
                handle.truncate(4);
                handle.force();
                handle.write(ByteBuffer.wrap(tail), 4);
            }
            files.crashKeepingRandomPages(new Random(seed));
            String content = content(FILE);
            assertThat(content).startsWith("head");
            int firstLost = content.indexOf('\0');
            sawHoleBeforeSurvivor = firstLost >= 0 && content.indexOf('x', firstLost) >= 0;
        }

        assertThat(sawHoleBeforeSurvivor)
                .as("some crash kept a page after a lost one")
                .isTrue();
    }

    @Test
    void handlesOpenAtTheCrashFailInsteadOfWritingIntoTheNewWorld() throws Exception {
        createSynced("x");
        FileLayer.FileHandle handle = files.open(FILE, false);

        files.crash();

        assertThatThrownBy(() -> handle.write(bytes("y"), 1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("simulated crash");
    }
}
