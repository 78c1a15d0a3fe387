package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.runtime.ForwardingProtocol.Answer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ForwardingProtocolTest {

    @Test
    void aForwardedCommandKeepsItsEnvelopeAndTimeout() {
        byte[] envelope = "envelope".getBytes(StandardCharsets.UTF_8);

        ForwardingProtocol.ForwardedCommand decoded =
                ForwardingProtocol.decodeCommand(ForwardingProtocol.encodeCommand(envelope, 1234));

        assertThat(decoded.envelope()).isEqualTo(envelope);
        assertThat(decoded.timeoutMillis()).isEqualTo(1234);
    }

    @Test
    void eachOfTheThreeAnswersSurvivesTheWire() {
        Answer applied = ForwardingProtocol.decodeAnswer(
                ForwardingProtocol.encodeAnswer(new Answer.Applied(42, new byte[] {7})));
        Answer notApplied = ForwardingProtocol.decodeAnswer(
                ForwardingProtocol.encodeAnswer(new Answer.NotApplied("n2", "not the leader")));
        Answer noLeader = ForwardingProtocol.decodeAnswer(
                ForwardingProtocol.encodeAnswer(new Answer.NotApplied(null, "no leader")));
        Answer unknown = ForwardingProtocol.decodeAnswer(
                ForwardingProtocol.encodeAnswer(new Answer.OutcomeUnknown("lost leadership")));

        assertThat(applied).isInstanceOfSatisfying(Answer.Applied.class, a -> {
            assertThat(a.index()).isEqualTo(42);
            assertThat(a.result()).containsExactly(7);
        });
        assertThat(notApplied).isEqualTo(new Answer.NotApplied("n2", "not the leader"));
        assertThat(noLeader).isEqualTo(new Answer.NotApplied(null, "no leader"));
        assertThat(unknown).isEqualTo(new Answer.OutcomeUnknown("lost leadership"));
    }

    @Test
    void anUnknownVersionIsRefusedWithAMessageSayingWhatToDo() {
        byte[] bytes = ForwardingProtocol.encodeAnswer(new Answer.OutcomeUnknown("x"));
        bytes[0] = 9;

        assertThatThrownBy(() -> ForwardingProtocol.decodeAnswer(bytes))
                .hasMessageContaining("version 9")
                .hasMessageContaining("same release");
    }
}
