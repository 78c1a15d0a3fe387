package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.runtime.ForwardingProtocol.Answer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forwarding protocol byte for byte: a follower of one release forwards to a leader of
 * another during a rolling upgrade, so these bytes change only with a new version.
 */
class ForwardingWireFormatTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aForwardedBatchKeepsItsLayout() {
        List<byte[]> envelopes = List.of("one".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[] {-1});
        String golden = "01000000010203040500000003000000036f6e650000000000000001ff";

        assertThat(HEX.formatHex(ForwardingProtocol.encodeCommands(envelopes, 0x0102030405L)))
                .isEqualTo(golden);
        ForwardingProtocol.ForwardedCommands decoded = ForwardingProtocol.decodeCommands(HEX.parseHex(golden));
        assertThat(decoded.envelopes()).containsExactlyElementsOf(envelopes);
        assertThat(decoded.timeoutMillis()).isEqualTo(0x0102030405L);
    }

    @Test
    void theThreeAnswersKeepTheirLayout() {
        List<Answer> answers = List.of(
                new Answer.Applied(0x0A0B0C, new byte[] {7, 8}),
                new Answer.NotApplied("n2", "not the leader"),
                new Answer.NotApplied(null, "no leader"),
                new Answer.OutcomeUnknown("lost leadership"));
        String golden = "01000000040000000000000a0b0c000000020708010100026e32000e6e6f7420746865206c656164"
                + "6572010000096e6f206c656164657202000f6c6f7374206c656164657273686970";

        assertThat(HEX.formatHex(ForwardingProtocol.encodeAnswers(answers))).isEqualTo(golden);
        List<Answer> decoded = ForwardingProtocol.decodeAnswers(HEX.parseHex(golden));
        assertThat(decoded.get(0)).isInstanceOfSatisfying(Answer.Applied.class, applied -> {
            assertThat(applied.index()).isEqualTo(0x0A0B0C);
            assertThat(applied.result()).containsExactly(7, 8);
        });
        assertThat(decoded.subList(1, 4)).containsExactlyElementsOf(answers.subList(1, 4));
    }

    /** Reasons are written as DataOutput's modified UTF-8: NUL and characters beyond the BMP included. */
    @Test
    void aReasonKeepsItsModifiedUtf8Layout() {
        List<Answer> answers = List.of(new Answer.OutcomeUnknown("é\u0000😀"));
        String golden = "010000000102000ac3a9c080eda0bdedb880";

        assertThat(HEX.formatHex(ForwardingProtocol.encodeAnswers(answers))).isEqualTo(golden);
        assertThat(ForwardingProtocol.decodeAnswers(HEX.parseHex(golden))).isEqualTo(answers);
    }
}
