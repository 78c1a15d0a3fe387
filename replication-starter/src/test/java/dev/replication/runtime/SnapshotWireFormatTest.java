package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.runtime.SnapshotTransferProtocol.Answer;
import dev.replication.runtime.SnapshotTransferProtocol.Chunk;
import dev.replication.runtime.SnapshotTransferProtocol.SnapshotId;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The snapshot transfer protocol byte for byte: a leader of one release sends to a follower of
 * another during a rolling upgrade, so these bytes change only with a new version.
 */
class SnapshotWireFormatTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final SnapshotId SNAPSHOT = new SnapshotId(0x0102, 0x0A0B, 3, 5);

    @Test
    void aChunkKeepsItsLayout() {
        Chunk chunk = new Chunk(SNAPSHOT, 2, true, 0xCAFEBABE, new byte[] {1, 2, 3});
        String golden = "01" + "0000000000000102" + "0000000000000a0b" + "0000000000000003" + "0000000000000005"
                + "0000000000000002" + "01" + "cafebabe" + "00000003" + "010203";

        assertThat(HEX.formatHex(SnapshotTransferProtocol.encodeChunk(chunk))).isEqualTo(golden);
        Chunk decoded = SnapshotTransferProtocol.decodeChunk(HEX.parseHex(golden));
        assertThat(decoded.snapshot()).isEqualTo(SNAPSHOT);
        assertThat(decoded.offset()).isEqualTo(2);
        assertThat(decoded.last()).isTrue();
        assertThat(decoded.checksum()).isEqualTo(0xCAFEBABE);
        assertThat(decoded.data()).containsExactly(1, 2, 3);
    }

    @Test
    void theHeaderIsWhatTheSenderLeavesFreeBelowTheRequestLimit() {
        byte[] empty = SnapshotTransferProtocol.encodeChunk(new Chunk(SNAPSHOT, 0, false, 0, new byte[0]));

        assertThat(empty).hasSize(SnapshotTransferProtocol.CHUNK_HEADER_BYTES);
    }

    @Test
    void everyAnswerKeepsItsLayout() {
        List<Answer> answers = List.of(
                new Answer.Continue(0x10),
                new Answer.Complete(5),
                new Answer.Restart("bad"),
                new Answer.Refused("old"),
                new Answer.Unavailable("disk"));
        List<String> golden = List.of(
                "01000000000000000010", "01010000000000000005", "01020003626164", "010300036f6c64", "010400046469736b");

        assertThat(answers)
                .extracting(a -> HEX.formatHex(SnapshotTransferProtocol.encodeAnswer(a)))
                .containsExactlyElementsOf(golden);
        assertThat(golden)
                .extracting(g -> SnapshotTransferProtocol.decodeAnswer(HEX.parseHex(g)))
                .containsExactlyElementsOf(answers);
    }

    @Test
    void anUnknownVersionIsRefusedNamingBothVersions() {
        assertThatThrownBy(() -> SnapshotTransferProtocol.decodeAnswer(HEX.parseHex("02000000000000000010")))
                .isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("version 2 is not supported")
                .hasMessageContaining("speaks version 1");
    }

    @Test
    void aChunkThatDoesNotFitItsDeclaredTotalIsMalformed() {
        byte[] beyond = SnapshotTransferProtocol.encodeChunk(new Chunk(SNAPSHOT, 4, true, 0, new byte[] {1, 2}));

        assertThatThrownBy(() -> SnapshotTransferProtocol.decodeChunk(beyond))
                .isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("does not fit in a snapshot of 5 bytes");
    }

    @Test
    void aChunkEndingAtTheTotalMustBeMarkedLast() {
        byte[] unmarked = SnapshotTransferProtocol.encodeChunk(new Chunk(SNAPSHOT, 3, false, 0, new byte[] {1, 2}));

        assertThatThrownBy(() -> SnapshotTransferProtocol.decodeChunk(unmarked))
                .isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("is not marked last");
    }
}
