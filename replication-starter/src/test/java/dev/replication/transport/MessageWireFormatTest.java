package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.core.AppendRequest;
import dev.replication.core.AppendResponse;
import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import dev.replication.core.Message;
import dev.replication.core.ReadIndexRequest;
import dev.replication.core.ReadIndexResponse;
import dev.replication.core.TimeoutNow;
import dev.replication.core.VoteRequest;
import dev.replication.core.VoteResponse;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The peer wire format byte for byte, per message type: nodes of one release talk to nodes of
 * the release before during a rolling upgrade, so these bytes change only with a new version
 * (version 2 added the requester's incarnation to read-index messages).
 */
class MessageWireFormatTest {

    private static final HexFormat HEX = HexFormat.of();
    /** A requesting process's incarnation: a fixed 8 bytes, big-endian. */
    private static final long INCARNATION = 0x0102030405060708L;

    private final MessageCodec codec = new MessageCodec();

    @Test
    void anAppendRequestWithEntriesKeepsItsLayout() {
        assertLayout(
                new AppendRequest(
                        "n1",
                        "n2",
                        300,
                        1200,
                        299,
                        List.of(
                                new LogEntry(300, 1201, EntryType.COMMAND, new byte[] {1, 2, 3}),
                                LogEntry.noop(300, 1202)),
                        1199,
                        42),
                "0201026e31026e32ac02b009ab02af092a02ac02b1090103010203ac02b2090000");
    }

    @Test
    void aHeartbeatKeepsItsLayout() {
        assertLayout(
                new AppendRequest("n1", "n2", 7, 1200, 7, List.of(), 1199, 42), "0201026e31026e3207b00907af092a00");
    }

    @Test
    void anAppendResponseKeepsItsLayout() {
        assertLayout(new AppendResponse("n2", "n1", 7, true, 1202, 1190, 6, 42), "0202026e32026e310701b209a609062a");
    }

    @Test
    void aVoteRequestKeepsItsLayout() {
        assertLayout(new VoteRequest("n3", "n1", 8, true, 1202, 7), "0203026e33026e310801b20907");
    }

    @Test
    void aVoteResponseKeepsItsLayout() {
        assertLayout(new VoteResponse("n1", "n3", 8, true, false), "0204026e31026e33080100");
    }

    @Test
    void aReadIndexRequestKeepsItsLayout() {
        assertLayout(new ReadIndexRequest("n2", "n1", 7, 99, INCARNATION), "0205026e32026e310763" + "0102030405060708");
    }

    @Test
    void aReadIndexResponseKeepsItsLayout() {
        assertLayout(
                new ReadIndexResponse("n1", "n2", 7, 99, INCARNATION, true, 1202),
                "0206026e31026e320763" + "0102030405060708" + "01b209");
    }

    @Test
    void aTimeoutNowKeepsItsLayout() {
        assertLayout(new TimeoutNow("nödé-1", "n2", Long.MAX_VALUE), "0207086ec3b664c3a92d31026e32ffffffffffffffff7f");
    }

    @Test
    void anOrderedBatchKeepsItsLayout() {
        MessageCodec.BatchOrder order = new MessageCodec.BatchOrder(0x7FEDCBA987654321L, 1, 130, 128);
        List<Message> messages = List.of(new TimeoutNow("n1", "n2", 3), new VoteResponse("n1", "n3", 8, false, true));
        String golden = "02a18695bb98f5f2f67f01820180010207026e31026e320304026e31026e33080001";

        assertThat(HEX.formatHex(codec.encodeBatch(order, messages))).isEqualTo(golden);
        MessageCodec.MessageBatch decoded = codec.decodeOrderedBatch(HEX.parseHex(golden));
        assertThat(decoded.order()).isEqualTo(order);
        assertThat(decoded.messages()).containsExactlyElementsOf(messages);
    }

    @Test
    void anUnorderedBatchKeepsItsLayout() {
        List<Message> messages = List.of(new ReadIndexRequest("n2", "n1", 7, 99, INCARNATION));
        String golden = "02000000000105026e32026e310763" + "0102030405060708";

        assertThat(HEX.formatHex(codec.encodeBatch(messages))).isEqualTo(golden);
        assertThat(codec.decodeBatch(HEX.parseHex(golden))).containsExactlyElementsOf(messages);
    }

    @Test
    void aCorruptPayloadLengthIsReportedWithTheFieldAndItsOffset() {
        byte[] body = HEX.parseHex("0201026e31026e32ac02b009ab02af092a02ac02b1090103010203ac02b2090000");
        body[23] = 0x7F; // the first entry's payload length: 3 becomes 127

        assertThatThrownBy(() -> codec.decode(body))
                .isInstanceOfSatisfying(MalformedEncodingException.class, e -> {
                    assertThat(e.field()).isEqualTo("entry payload");
                    assertThat(e.offset()).isEqualTo(23);
                })
                .hasMessageStartingWith("malformed peer message: entry payload length 127 exceeds the 9 bytes left"
                        + " at offset 23 of 33 bytes");
    }

    private void assertLayout(Message message, String golden) {
        assertThat(HEX.formatHex(codec.encode(message))).isEqualTo(golden);
        assertThat(codec.decode(HEX.parseHex(golden))).isEqualTo(message);
    }
}
