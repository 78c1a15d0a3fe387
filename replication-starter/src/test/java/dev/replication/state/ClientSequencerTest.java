package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientSequencerTest {

    private static final byte[] COMMAND = new StateCommand.Put(MAP, bytes("apple"), bytes("3")).encode();

    private final ClientSequencer sequencer = new ClientSequencer(ClientSequencer.clientId("n2", "7f3a"));

    @Test
    void proposalsAreNumberedFromOneUnderTheClientId() {
        CommandEnvelope first = sequencer.envelope(COMMAND, null);
        CommandEnvelope second = sequencer.envelope(COMMAND, "order-17");

        assertThat(first.clientId()).isEqualTo("n2/7f3a");
        assertThat(first.sequence()).isEqualTo(1);
        assertThat(second.sequence()).isEqualTo(2);
        assertThat(second.idempotencyKey()).isEqualTo("order-17");
    }

    @Test
    void theFirstUnacknowledgedSequenceIsTheOldestProposalStillWaiting() {
        sequencer.envelope(COMMAND, null);
        sequencer.envelope(COMMAND, null);
        sequencer.answered(2);

        CommandEnvelope third = sequencer.envelope(COMMAND, null);

        assertThat(third.firstUnacknowledged()).isEqualTo(1);
    }

    @Test
    void onceEveryProposalIsAnsweredTheNextOneIsTheFirstUnacknowledged() {
        sequencer.envelope(COMMAND, null);
        sequencer.answered(1);

        assertThat(sequencer.firstUnacknowledged()).isEqualTo(2);
        assertThat(sequencer.envelope(COMMAND, null).firstUnacknowledged()).isEqualTo(2);
    }

    @Test
    void aRestartedNodeWithANewIncarnationIsANewClient() {
        LogScript log = new LogScript();
        CommandEnvelope beforeRestart = sequencer.envelope(COMMAND, null);
        log.applyEnvelope(beforeRestart);

        ClientSequencer restarted = new ClientSequencer(ClientSequencer.clientId("n2", "b901"));
        StateResult afterRestart = log.applyEnvelope(restarted.envelope(COMMAND, null));

        assertThat(afterRestart.version()).isEqualTo(2);
        assertThat(log.stateMachine.get(MAP, bytes("apple")).version()).isEqualTo(2);
    }

    @Test
    void anEmptyClientIdIsRefused() {
        assertThatThrownBy(() -> new ClientSequencer(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a non-empty client id");
    }
}
