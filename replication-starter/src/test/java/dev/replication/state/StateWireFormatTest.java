package dev.replication.state;

import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The state's binary formats byte for byte. They are on disk (log entries, snapshots), so a
 * change here breaks every existing data directory: these bytes were written by the release
 * that introduced them and must never change.
 */
class StateWireFormatTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aCommandEnvelopeKeepsItsLayout() {
        CommandEnvelope envelope = new CommandEnvelope(0x0102030405060708L, "node-1#7", 42, 40, "req-é",
                0x1122334455667788L, new byte[] {9, 8, 7});
        String golden = "010102030405060708000000086e6f64652d312337000000000000002a0000000000000028000000"
                + "067265712dc3a9112233445566778800000003090807";

        assertThat(HEX.formatHex(envelope.encode())).isEqualTo(golden);
        assertThat(CommandEnvelope.decode(HEX.parseHex(golden))).isEqualTo(envelope);
    }

    @Test
    void anEnvelopeWithoutSessionOrKeyKeepsItsLayout() {
        CommandEnvelope envelope = new CommandEnvelope(0, "", 0, 0, "", 0, new byte[0]);
        String golden = "01000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000";

        assertThat(HEX.formatHex(envelope.encode())).isEqualTo(golden);
        assertThat(CommandEnvelope.decode(HEX.parseHex(golden))).isEqualTo(envelope);
    }

    @Test
    void aStampKeepsItsOffset() {
        byte[] unstamped = new CommandEnvelope(0, "", 0, 0, "", 0, new byte[0]).encode();

        assertThat(HEX.formatHex(CommandEnvelope.stamp(unstamped, 0x0A0B0C0D0E0F1011L)))
                .isEqualTo("010a0b0c0d0e0f1011"
                        + "000000000000000000000000000000000000000000000000000000000000000000000000");
    }

    @Test
    void eachStateCommandKeepsItsLayout() {
        assertCommand(new StateCommand.Put("inventory", bytes("k"), bytes("v1")),
                "010100000009696e76656e746f7279000000016b000000027631");
        assertCommand(new StateCommand.PutIfVersion("inventory", bytes("k"), bytes("v2"), 5),
                "010200000009696e76656e746f7279000000016b0000000276320000000000000005");
        assertCommand(new StateCommand.Delete("inventory", bytes("k")),
                "010300000009696e76656e746f7279000000016b");
        assertCommand(new StateCommand.DeleteIfVersion("inventory", bytes("k"), 6),
                "010400000009696e76656e746f7279000000016b0000000000000006");
    }

    @Test
    void anAppliedResultWithAPreviousValueKeepsItsLayout() {
        StateResult result = StateResult.applied(7, 0x0A0B, new StoredValue(bytes("old"), 3, 0x0C0D));
        String golden = "010000000000000000070000000000000a0b01000000036f6c640000000000000003000000000000"
                + "0c0d00000000";

        assertThat(HEX.formatHex(result.encode())).isEqualTo(golden);
        assertThat(StateResult.decode(HEX.parseHex(golden))).isEqualTo(result);
    }

    @Test
    void aRefusedResultWithoutAValueKeepsItsLayout() {
        StateResult result = StateResult.refused(StateResult.Status.IDEMPOTENCY_KEY_CONFLICT, null, "key réused");
        String golden = "010200000000000000000000000000000000000000000b6b65792072c3a975736564";

        assertThat(HEX.formatHex(result.encode())).isEqualTo(golden);
        assertThat(StateResult.decode(HEX.parseHex(golden))).isEqualTo(result);
    }

    @Test
    void aSnapshotWithAValueASessionAndAnIdempotencyKeyKeepsItsLayout() {
        LogScript log = LogScript.withRetention(Duration.ofHours(1));
        log.put("apple", "3");
        log.fromClient("n2#1", 1, 1, new StateCommand.Put(LogScript.MAP, bytes("pear"), bytes("5")));
        log.withKey("req-1", "", 0, new StateCommand.Delete(LogScript.MAP, bytes("apple")));
        String golden = "010000000000000003018bcfe5680000000000000100000009696e76656e746f7279000000010000"
                + "00047065617200000001350000000000000002018bcfe56800000000000001000000046e32233100"
                + "00018bcfe56800000000000000000100000001000000000000000124b72084f8b711500000001701"
                + "000000000000000002018bcfe56800000000000000000000018bcfe5680000000001000000057265"
                + "712d314f2d049cd4306af20000002c01000000000000000003018bcfe56800000001000000013300"
                + "00000000000001018bcfe568000000000000000000018bcfe56800";

        assertThat(HEX.formatHex(log.stateMachine.snapshot())).isEqualTo(golden);
        KeyValueStateMachine restored = new KeyValueStateMachine(Duration.ofHours(1));
        restored.restore(HEX.parseHex(golden));
        assertThat(restored.snapshot()).isEqualTo(log.stateMachine.snapshot());
    }

    private static void assertCommand(StateCommand command, String golden) {
        assertThat(HEX.formatHex(command.encode())).isEqualTo(golden);
        assertThat(StateCommand.decode(HEX.parseHex(golden))).isEqualTo(command);
    }
}
