package dev.replication.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class CodecRoundTripPropertyTest {

    @Property
    void stateCommandsDecodeToWhatWasEncoded(@ForAll("commands") StateCommand command) {
        assertThat(StateCommand.decode(command.encode())).isEqualTo(command);
    }

    @Property
    void equalCommandsEncodeToEqualBytes(@ForAll("commands") StateCommand command) {
        StateCommand copy = StateCommand.decode(command.encode());

        assertThat(copy.encode()).isEqualTo(command.encode());
    }

    @Property
    void envelopesDecodeToWhatWasEncoded(@ForAll("envelopes") CommandEnvelope envelope) {
        assertThat(CommandEnvelope.decode(envelope.encode())).isEqualTo(envelope);
    }

    @Property
    void stampingAnEncodedEnvelopeSetsOnlyItsTimestampAndLimits(
            @ForAll("envelopes") CommandEnvelope envelope,
            @ForAll @LongRange(min = 0) long timestamp,
            @ForAll @IntRange(min = 1) int maxKeys) {
        IdempotencyLimits limits = IdempotencyLimits.DEFAULTS.withMaxIdempotencyKeys(maxKeys);
        byte[] stamped = CommandEnvelope.stamp(envelope.encode(), timestamp, limits);

        assertThat(stamped).hasSize(envelope.encodedSize());
        assertThat(CommandEnvelope.decode(stamped)).isEqualTo(envelope.withStamp(timestamp, limits));
        assertThat(CommandEnvelope.timestampOf(stamped)).isEqualTo(timestamp);
    }

    @Property
    void resultsDecodeToWhatWasEncoded(@ForAll("results") StateResult result) {
        assertThat(StateResult.decode(result.encode())).isEqualTo(result);
    }

    @Property
    void aTruncatedEnvelopeIsRefusedAsMalformed(
            @ForAll("envelopes") CommandEnvelope envelope, @ForAll @IntRange(min = 1, max = 1_000) int cut) {
        byte[] encoded = envelope.encode();
        byte[] truncated = Arrays.copyOf(encoded, Math.max(0, encoded.length - cut));

        assertThatThrownBy(() -> CommandEnvelope.decode(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed command envelope");
    }

    @Property
    void aTruncatedCommandIsRefusedAsMalformed(
            @ForAll("commands") StateCommand command, @ForAll @IntRange(min = 1, max = 1_000) int cut) {
        byte[] encoded = command.encode();
        byte[] truncated = Arrays.copyOf(encoded, Math.max(0, encoded.length - cut));

        assertThatThrownBy(() -> StateCommand.decode(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed state command");
    }

    @Provide
    Arbitrary<StateCommand> commands() {
        Arbitrary<String> maps = Arbitraries.strings().ofMinLength(1).ofMaxLength(20);
        Arbitrary<byte[]> keys = bytes(40);
        Arbitrary<byte[]> values = bytes(200);
        Arbitrary<Long> versions = Arbitraries.longs().between(1, Long.MAX_VALUE);
        return Arbitraries.oneOf(
                Combinators.combine(maps, keys, values).as(StateCommand.Put::new),
                Combinators.combine(maps, keys, values, Arbitraries.longs().between(0, Long.MAX_VALUE))
                        .as(StateCommand.PutIfVersion::new),
                Combinators.combine(maps, keys).as(StateCommand.Delete::new),
                Combinators.combine(maps, keys, versions).as(StateCommand.DeleteIfVersion::new));
    }

    @Provide
    Arbitrary<CommandEnvelope> envelopes() {
        Arbitrary<Long> sequences = Arbitraries.longs().between(1, Long.MAX_VALUE / 2);
        Arbitrary<Long> lags = Arbitraries.longs().between(0, 1_000);
        return Combinators.combine(
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.strings().ofMinLength(1).ofMaxLength(30),
                        sequences,
                        lags,
                        Arbitraries.strings().ofMaxLength(60),
                        bytes(300))
                .as((timestamp, client, sequence, lag, key, body) -> CommandEnvelope.create(
                                client, sequence, Math.max(1, sequence - lag), key, body)
                        .withTimestamp(timestamp));
    }

    @Provide
    Arbitrary<StateResult> results() {
        Arbitrary<StoredValue> stored = Combinators.combine(
                        bytes(100),
                        Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as(StoredValue::new);
        return Combinators.combine(
                        Arbitraries.of(StateResult.Status.class),
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        stored.injectNull(0.3),
                        Arbitraries.strings().ofMaxLength(80))
                .as((status, version, timestamp, before, detail) -> new StateResult(
                        status, version, timestamp, before == null ? 0 : before.version(), before, detail));
    }

    private static Arbitrary<byte[]> bytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }
}
