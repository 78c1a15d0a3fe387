package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.runtime.SnapshotReceiver.ReceivedSnapshot;
import dev.replication.runtime.SnapshotTransferProtocol.Answer;
import dev.replication.runtime.SnapshotTransferProtocol.Chunk;
import dev.replication.runtime.SnapshotTransferProtocol.SnapshotId;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The follower's rules for chunks, one call at a time, without a sender. */
class SnapshotReceiverTest {

    static final Path DIR = Path.of("/follower/snapshots");
    static final int CHUNK = 1000;

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    final List<ReceivedSnapshot> received = new ArrayList<>();
    Consumer<ReceivedSnapshot> onReceived = received::add;
    SnapshotReceiver receiver = new SnapshotReceiver(DIR, disk, 10_000, Runnable::run, r -> onReceived.accept(r));

    final byte[] file = bytes(3500, 1);

    @Test
    void aWholeSnapshotSentInOrderIsStoredUnderItsFinalNameAndHandedOver() {
        assertThat(sendAll(snapshot(7, 100, 3, file), file)).isEqualTo(new Answer.Complete(3500));

        Path snap = DIR.resolve("snapshot-100-3.snap");
        assertThat(SnapshotLink.names(disk, DIR)).containsExactly("snapshot-100-3.snap");
        assertThat(SnapshotLink.read(disk, snap)).isEqualTo(file);
        assertThat(received).containsExactly(new ReceivedSnapshot(SnapshotLink.LEADER, 7, 100, 3, snap, 3500));
    }

    @Test
    void aChunkAtAnotherOffsetIsAnsweredWithTheExpectedOffsetAndWritesNothing() {
        SnapshotId snapshot = snapshot(7, 100, 3, file);
        send(snapshot, file, 0);

        assertThat(send(snapshot, file, 2 * CHUNK)).isEqualTo(new Answer.Continue(CHUNK));

        assertThat(disk.sizeOf(DIR.resolve("incoming-100-3.part"))).isEqualTo(CHUNK);
    }

    @Test
    void aDuplicatedOrReorderedChunkIsHarmless() {
        SnapshotId snapshot = snapshot(7, 100, 3, file);

        assertThat(send(snapshot, file, 0)).isEqualTo(new Answer.Continue(1000));
        assertThat(send(snapshot, file, 0)).as("duplicate").isEqualTo(new Answer.Continue(1000));
        assertThat(send(snapshot, file, 2000)).as("ahead of its turn").isEqualTo(new Answer.Continue(1000));
        assertThat(send(snapshot, file, 1000)).isEqualTo(new Answer.Continue(2000));
        assertThat(send(snapshot, file, 1000)).as("duplicate").isEqualTo(new Answer.Continue(2000));
        assertThat(send(snapshot, file, 2000)).isEqualTo(new Answer.Continue(3000));
        assertThat(send(snapshot, file, 3000)).isEqualTo(new Answer.Complete(3500));

        assertThat(SnapshotLink.read(disk, DIR.resolve("snapshot-100-3.snap"))).isEqualTo(file);
    }

    @Test
    void aNewerSnapshotReplacesAnOlderPartialOneAndDeletesItsFile() {
        send(snapshot(7, 100, 3, file), file, 0);
        byte[] newer = bytes(1500, 2);

        assertThat(send(snapshot(7, 200, 3, newer), newer, 0)).isEqualTo(new Answer.Continue(1000));

        assertThat(SnapshotLink.names(disk, DIR)).containsExactly("incoming-200-3.part");
        assertThat(sendAll(snapshot(7, 200, 3, newer), newer)).isEqualTo(new Answer.Complete(1500));
        assertThat(SnapshotLink.read(disk, DIR.resolve("snapshot-200-3.snap"))).isEqualTo(newer);
    }

    @Test
    void theSameIndexFromAHigherLeaderGenerationReplacesAPartialOneOfAnotherLength() {
        send(snapshot(7, 100, 3, file), file, 0);
        send(snapshot(7, 100, 3, file), file, 1000);
        byte[] other = bytes(2500, 2);

        assertThat(send(snapshot(8, 100, 3, other), other, 1000))
                .as("a new transfer, expected from 0")
                .isEqualTo(new Answer.Continue(0));
        assertThat(sendAll(snapshot(8, 100, 3, other), other)).isEqualTo(new Answer.Complete(2500));
        assertThat(received)
                .singleElement()
                .satisfies(r -> assertThat(r.leaderGeneration()).isEqualTo(8));
    }

    @Test
    void theSameSnapshotFromAHigherLeaderGenerationKeepsWhatIsReceived() {
        send(snapshot(7, 100, 3, file), file, 0);

        assertThat(send(snapshot(8, 100, 3, file), file, 0)).isEqualTo(new Answer.Continue(1000));
    }

    @Test
    void anOlderSnapshotIsRefusedAndThePartialNewerOneKept() {
        send(snapshot(7, 100, 3, file), file, 0);

        assertThat(send(snapshot(7, 90, 3, file), file, 0))
                .isInstanceOfSatisfying(
                        Answer.Refused.class,
                        refused -> assertThat(refused.reason()).contains("index 90", "older than", "index 100"));
        assertThat(send(snapshot(7, 100, 3, file), file, 1000)).isEqualTo(new Answer.Continue(2000));
    }

    @Test
    void theSameSnapshotFromAnOlderLeaderGenerationIsRefused() {
        send(snapshot(8, 100, 3, file), file, 0);

        assertThat(send(snapshot(7, 100, 3, file), file, 1000)).isInstanceOf(Answer.Refused.class);
        assertThat(disk.sizeOf(DIR.resolve("incoming-100-3.part"))).isEqualTo(1000);
    }

    @Test
    void aSnapshotOlderThanTheOneCompletedIsRefused() {
        sendAll(snapshot(7, 100, 3, file), file);

        assertThat(send(snapshot(7, 90, 3, file), file, 0)).isInstanceOf(Answer.Refused.class);
    }

    @Test
    void aTotalOverTheLimitIsRefusedBeforeAnythingIsWritten() throws Exception {
        disk.createDirectories(DIR);
        byte[] large = bytes(10_001, 3);

        assertThat(send(snapshot(7, 100, 3, large), large, 0))
                .isInstanceOfSatisfying(
                        Answer.Refused.class,
                        refused -> assertThat(refused.reason()).contains("10001 bytes", "10000 bytes"));
        assertThat(SnapshotLink.names(disk, DIR)).isEmpty();
    }

    @Test
    void aLastChunkResentAfterCompletionIsAnsweredCompleteAndNotHandedOverTwice() {
        SnapshotId snapshot = snapshot(7, 100, 3, file);
        sendAll(snapshot, file);

        assertThat(send(snapshot, file, 3000)).isEqualTo(new Answer.Complete(3500));
        assertThat(send(snapshot, file, 0)).isEqualTo(new Answer.Complete(3500));
        assertThat(received).hasSize(1);
    }

    @Test
    void aChecksumMismatchDeletesThePartFileAndAsksForARestartFromZero() {
        SnapshotId snapshot = snapshot(7, 100, 3, file);
        send(snapshot, file, 0);
        send(snapshot, file, 1000);
        send(snapshot, file, 2000);

        Answer answer =
                receive(new Chunk(snapshot, 3000, true, checksum(file) ^ 1, Arrays.copyOfRange(file, 3000, 3500)));

        assertThat(answer)
                .isInstanceOfSatisfying(
                        Answer.Restart.class,
                        restart -> assertThat(restart.reason()).contains("CRC32C"));
        assertThat(SnapshotLink.names(disk, DIR)).isEmpty();
        assertThat(received).isEmpty();
        assertThat(send(snapshot, file, 1000)).isEqualTo(new Answer.Continue(0));
    }

    @Test
    void theSnapshotIsDurableUnderItsFinalNameBeforeItIsHandedOver() {
        List<byte[]> survivedACrash = new ArrayList<>();
        onReceived = snapshot -> {
            disk.crash();
            survivedACrash.add(SnapshotLink.read(disk, snapshot.file()));
        };

        sendAll(snapshot(7, 100, 3, file), file);

        assertThat(survivedACrash).singleElement().isEqualTo(file);
    }

    @Test
    void aSnapshotTheCallbackCannotTakeIsDeletedAndTheSenderToldToTryAgain() {
        onReceived = snapshot -> {
            throw new IllegalStateException("node stopping");
        };

        assertThat(sendAll(snapshot(7, 100, 3, file), file)).isInstanceOf(Answer.Unavailable.class);

        assertThat(SnapshotLink.names(disk, DIR)).isEmpty();
        assertThat(send(snapshot(7, 100, 3, file), file, 3000)).isEqualTo(new Answer.Continue(0));
    }

    @Test
    void cleanUpRemovesLeftoverPartFilesButKeepsCompletedSnapshots() throws Exception {
        sendAll(snapshot(7, 100, 3, file), file);
        send(snapshot(7, 200, 3, file), file, 0);

        receiver = new SnapshotReceiver(DIR, disk, 10_000, Runnable::run, received::add);
        receiver.cleanUp();

        assertThat(SnapshotLink.names(disk, DIR)).containsExactly("snapshot-100-3.snap");
    }

    @Test
    void aBodyInAnUnknownVersionFailsTheCall() {
        byte[] body =
                SnapshotTransferProtocol.encodeChunk(new Chunk(snapshot(7, 100, 3, file), 0, false, 0, new byte[0]));
        body[0] = 2;

        assertThatThrownBy(() -> receiver.receive(SnapshotLink.LEADER, body))
                .isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("version 2");
    }

    // ---- helpers ----

    static SnapshotId snapshot(long leaderGeneration, long index, long generation, byte[] content) {
        return new SnapshotId(leaderGeneration, index, generation, content.length);
    }

    /** Sends the chunk of {@code content} at {@code offset} (the last one carries the checksum). */
    Answer send(SnapshotId snapshot, byte[] content, int offset) {
        int end = Math.min(content.length, offset + CHUNK);
        boolean last = end == content.length;
        return receive(new Chunk(
                snapshot, offset, last, last ? checksum(content) : 0, Arrays.copyOfRange(content, offset, end)));
    }

    Answer sendAll(SnapshotId snapshot, byte[] content) {
        Answer answer = null;
        for (int offset = 0; offset < content.length; offset += CHUNK) {
            answer = send(snapshot, content, offset);
        }
        return answer;
    }

    Answer receive(Chunk chunk) {
        return SnapshotTransferProtocol.decodeAnswer(
                receiver.receive(SnapshotLink.LEADER, SnapshotTransferProtocol.encodeChunk(chunk)));
    }

    static int checksum(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.wrap(content));
        return (int) crc.getValue();
    }

    static byte[] bytes(int length, long seed) {
        byte[] content = new byte[length];
        new Random(seed).nextBytes(content);
        return content;
    }
}
