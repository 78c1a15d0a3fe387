package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.runtime.ForwardingProtocol.Answer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingProtocolTest {

    @Test
    void aForwardedBatchKeepsItsEnvelopesInOrderAndItsTimeout() {
        List<byte[]> envelopes =
                List.of("one".getBytes(StandardCharsets.UTF_8), new byte[0], "three".getBytes(StandardCharsets.UTF_8));

        ForwardingProtocol.ForwardedCommands decoded =
                ForwardingProtocol.decodeCommands(ForwardingProtocol.encodeCommands(envelopes, 1234));

        assertThat(decoded.envelopes()).containsExactlyElementsOf(envelopes);
        assertThat(decoded.timeoutMillis()).isEqualTo(1234);
    }

    @Test
    void eachOfTheThreeAnswersSurvivesTheWireInOrder() {
        List<Answer> answers = ForwardingProtocol.decodeAnswers(ForwardingProtocol.encodeAnswers(List.of(
                new Answer.Applied(42, new byte[] {7}),
                new Answer.NotApplied("n2", "not the leader"),
                new Answer.NotApplied(null, "no leader"),
                new Answer.OutcomeUnknown("lost leadership"))));

        assertThat(answers).hasSize(4);
        assertThat(answers.get(0)).isInstanceOfSatisfying(Answer.Applied.class, a -> {
            assertThat(a.index()).isEqualTo(42);
            assertThat(a.result()).containsExactly(7);
        });
        assertThat(answers.subList(1, 4))
                .containsExactly(
                        new Answer.NotApplied("n2", "not the leader"),
                        new Answer.NotApplied(null, "no leader"),
                        new Answer.OutcomeUnknown("lost leadership"));
    }

    @Test
    void aTruncatedAnswerIsRefusedNamingTheField() {
        byte[] bytes = ForwardingProtocol.encodeAnswers(List.of(new Answer.OutcomeUnknown("lost leadership")));

        assertThatThrownBy(() -> ForwardingProtocol.decodeAnswers(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed forwarding answers: outcome unknown reason length 15 exceeds"
                        + " the 14 bytes left at offset 6");
    }

    @Test
    void anUnknownVersionIsRefusedWithAMessageSayingWhatToDo() {
        byte[] bytes = ForwardingProtocol.encodeAnswers(List.of(new Answer.OutcomeUnknown("x")));
        bytes[0] = 9;

        assertThatThrownBy(() -> ForwardingProtocol.decodeAnswers(bytes))
                .hasMessageContaining("version 9")
                .hasMessageContaining("same release");
    }
}
