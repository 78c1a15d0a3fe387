package dev.replication.state;

import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The state's binary formats byte for byte. They are on disk (log entries, snapshots), so a
 * change here breaks every existing data directory: once released, these bytes must never change.
 * (Format version 2 of the envelope, the result and the snapshot, from issue 12, replaced version 1
 * before any release: the stamp carries the leader's idempotency limits, a result names the previous
 * version on its own, and idempotency keys are remembered compactly.)
 */
class StateWireFormatTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aCommandEnvelopeKeepsItsLayout() {
        CommandEnvelope envelope = new CommandEnvelope(
                0x0102030405060708L, "node-1#7", 42, 40, "req-é", 0x1122334455667788L, new byte[] {9, 8, 7});
        String golden = "0201020304050607080000000000000000000000000000000000000000000000086e6f64652d3123"
                + "37000000000000002a0000000000000028000000067265712dc3a911223344556677880000000309"
                + "0807";

        assertThat(HEX.formatHex(envelope.encode())).isEqualTo(golden);
        assertThat(CommandEnvelope.decode(HEX.parseHex(golden))).isEqualTo(envelope);
    }

    @Test
    void anEnvelopeWithoutSessionOrKeyKeepsItsLayout() {
        CommandEnvelope envelope = new CommandEnvelope(0, "", 0, 0, "", 0, new byte[0]);
        String golden = "02000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "00000000000000000000000000000000000000000000000000";

        assertThat(HEX.formatHex(envelope.encode())).isEqualTo(golden);
        assertThat(CommandEnvelope.decode(HEX.parseHex(golden))).isEqualTo(envelope);
    }

    @Test
    void aStampSetsTheTimestampAndTheLimitsAtTheirOffsets() {
        byte[] unstamped = new CommandEnvelope(0, "", 0, 0, "", 0, new byte[0]).encode();
        IdempotencyLimits limits = new IdempotencyLimits(Duration.ofMillis(0x0102), 0x0304, 0x050607);

        assertThat(HEX.formatHex(CommandEnvelope.stamp(unstamped, 0x0A0B0C0D0E0F1011L, limits)))
                .isEqualTo("020a0b0c0d0e0f1011" + "0000000000000102" + "00000304" + "0000000000050607"
                        + "0".repeat(HEX.formatHex(unstamped).length() - 2 * (1 + 8 + 8 + 4 + 8)));
    }

    @Test
    void eachStateCommandKeepsItsLayout() {
        assertCommand(
                new StateCommand.Put("inventory", bytes("k"), bytes("v1")),
                "010100000009696e76656e746f7279000000016b000000027631");
        assertCommand(
                new StateCommand.PutIfVersion("inventory", bytes("k"), bytes("v2"), 5),
                "010200000009696e76656e746f7279000000016b0000000276320000000000000005");
        assertCommand(new StateCommand.Delete("inventory", bytes("k")), "010300000009696e76656e746f7279000000016b");
        assertCommand(
                new StateCommand.DeleteIfVersion("inventory", bytes("k"), 6),
                "010400000009696e76656e746f7279000000016b0000000000000006");
    }

    @Test
    void anAppliedResultWithAPreviousValueKeepsItsLayout() {
        StateResult result = StateResult.applied(7, 0x0A0B, new StoredValue(bytes("old"), 3, 0x0C0D));
        String golden =
                "020000000000000000070000000000000a0b000000000000000301000000036f6c64000000000000" + "0c0d00000000";

        assertThat(HEX.formatHex(result.encode())).isEqualTo(golden);
        assertThat(StateResult.decode(HEX.parseHex(golden))).isEqualTo(result);
    }

    @Test
    void aRefusedResultWithoutAValueKeepsItsLayout() {
        StateResult result = StateResult.refused(StateResult.Status.IDEMPOTENCY_KEY_CONFLICT, null, "key réused");
        String golden = "0202000000000000000000000000000000000000000000000000000000000b6b65792072c3a97573" + "6564";

        assertThat(HEX.formatHex(result.encode())).isEqualTo(golden);
        assertThat(StateResult.decode(HEX.parseHex(golden))).isEqualTo(result);
    }

    @Test
    void aSnapshotWithAValueASessionAndAnIdempotencyKeyKeepsItsLayout() {
        LogScript log = LogScript.withRetention(Duration.ofHours(1));
        log.put("apple", "3");
        log.fromClient("n2#1", 1, 1, new StateCommand.Put(LogScript.MAP, bytes("pear"), bytes("5")));
        log.withKey("req-1", "", 0, new StateCommand.Delete(LogScript.MAP, bytes("apple")));
        String golden = "020000000000000003018bcfe568000000000000000036ee8000030d400000000001000000000000"
                + "0100000009696e76656e746f72790000000100000004706561720000000135000000000000000201"
                + "8bcfe56800000000000001000000046e3223310000018bcfe5680000000000000000010000000100"
                + "0000000000000124b72084f8b711500000001f02000000000000000002018bcfe568000000000000"
                + "000000000000000000000000000000000000000000019456bdfa12ea76959c94a3572f5d91c74f2d"
                + "049cd4306af2000000000000000003018bcfe56800000000000000000000010000018bcfe56800";

        assertThat(HEX.formatHex(log.stateMachine.snapshot())).isEqualTo(golden);
        KeyValueStateMachine restored = new KeyValueStateMachine();
        restored.restore(HEX.parseHex(golden));
        assertThat(restored.snapshot()).isEqualTo(log.stateMachine.snapshot());
    }

    private static void assertCommand(StateCommand command, String golden) {
        assertThat(HEX.formatHex(command.encode())).isEqualTo(golden);
        assertThat(StateCommand.decode(HEX.parseHex(golden))).isEqualTo(command);
    }
}
