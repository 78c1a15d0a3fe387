package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.core.AppendRequest;
import dev.replication.core.AppendResponse;
import dev.replication.core.EntryType;
import dev.replication.core.InstallSnapshot;
import dev.replication.core.LogEntry;
import dev.replication.core.Message;
import dev.replication.core.ReadIndexRequest;
import dev.replication.core.ReadIndexResponse;
import dev.replication.core.TimeoutNow;
import dev.replication.core.VoteRequest;
import dev.replication.core.VoteResponse;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MessageCodecProperties {

    private final MessageCodec codec = new MessageCodec();

    @Property(tries = 300)
    void everyMessageSurvivesARoundTrip(@ForAll("messages") Message message) {
        assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    }

    @Property(tries = 100)
    void aBatchSurvivesARoundTripInOrder(@ForAll("batches") List<Message> batch) {
        assertThat(codec.decodeBatch(codec.encodeBatch(batch))).containsExactlyElementsOf(batch);
    }

    @Property(tries = 100)
    void aBatchKeepsItsPlaceInTheSendersSequence(
            @ForAll("batches") List<Message> batch,
            @ForAll("numbers") long channel,
            @ForAll("numbers") long sequence,
            @ForAll("numbers") long oldestPending) {
        MessageCodec.BatchOrder order = new MessageCodec.BatchOrder(channel, 1, sequence, oldestPending);

        MessageCodec.MessageBatch decoded = codec.decodeOrderedBatch(codec.encodeBatch(order, batch));

        assertThat(decoded.order()).isEqualTo(order);
        assertThat(decoded.messages()).containsExactlyElementsOf(batch);
    }

    @Property(tries = 100)
    void everyTruncationIsRejectedAsMalformed(@ForAll("messages") Message message, @ForAll("fractions") double cut) {
        byte[] body = codec.encode(message);
        byte[] truncated = Arrays.copyOf(body, (int) (body.length * cut));
        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(MalformedEncodingException.class);
    }

    @Property(tries = 50)
    void theFirstByteIsTheVersion(@ForAll("messages") Message message) {
        assertThat(codec.encode(message)[0]).isEqualTo((byte) MessageCodec.CURRENT_VERSION);
    }

    @Example
    void everyPermittedMessageTypeHasATypeTag() {
        assertThat(List.<Class<?>>copyOf(MessageCodec.TAGS.keySet()))
                .containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
    }

    @Example
    void anUnknownVersionIsRejectedNamingTheVersionSeenAndTheVersionsSupported() {
        byte[] body = codec.encode(new TimeoutNow("n1", "n2", 3));
        body[0] = 9;
        assertThatThrownBy(() -> codec.decode(body))
                .isInstanceOf(UnsupportedWireVersionException.class)
                .hasMessageContaining("version 9")
                .hasMessageContaining("supports versions [2]");
    }

    @Example
    void anUnknownMessageTypeIsRejectedNamingTheTag() {
        byte[] body = codec.encode(new TimeoutNow("n1", "n2", 3));
        body[1] = 99;
        assertThatThrownBy(() -> codec.decode(body))
                .isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("unknown peer message type tag 99");
    }

    @Example
    void trailingBytesAreRejected() {
        byte[] body = codec.encode(new TimeoutNow("n1", "n2", 3));
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        assertThatThrownBy(() -> codec.decode(longer))
                .isInstanceOf(MalformedEncodingException.class)
                .hasMessageContaining("unexpected byte");
    }

    @Example
    void aHeartbeatIsAFewDozenBytes() {
        AppendRequest heartbeat = new AppendRequest("n1", "n2", 7, 1200, 7, List.of(), 1199, 42);
        assertThat(codec.encode(heartbeat)).hasSizeLessThan(24);
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0.0, 0.999).ofScale(3);
    }

    @Provide
    Arbitrary<List<Message>> batches() {
        return messages().list().ofMaxSize(20);
    }

    @Provide
    Arbitrary<Message> messages() {
        return Arbitraries.oneOf(
                appendRequests(),
                appendResponses(),
                voteRequests(),
                voteResponses(),
                readIndexRequests(),
                readIndexResponses(),
                timeoutNows(),
                installSnapshots());
    }

    private Arbitrary<String> ids() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(12).withChars("abcxyz0123-_é日");
    }

    @Provide
    Arbitrary<Long> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 300), Arbitraries.longs().between(0, Long.MAX_VALUE));
    }

    private Arbitrary<LogEntry> entries() {
        return Combinators.combine(
                        numbers(),
                        Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.of(EntryType.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as(LogEntry::new);
    }

    private Arbitrary<Message> appendRequests() {
        return Combinators.combine(
                        ids(),
                        ids(),
                        numbers(),
                        numbers(),
                        numbers(),
                        entries().list().ofMaxSize(5),
                        numbers(),
                        numbers())
                .as((from, to, generation, prevIndex, prevGeneration, list, commit, round) ->
                        new AppendRequest(from, to, generation, prevIndex, prevGeneration, list, commit, round));
    }

    private Arbitrary<Message> appendResponses() {
        return Combinators.combine(
                        ids(),
                        ids(),
                        numbers(),
                        Arbitraries.of(true, false),
                        numbers(),
                        numbers(),
                        numbers(),
                        numbers())
                .as((from, to, generation, success, match, hint, hintGeneration, round) ->
                        new AppendResponse(from, to, generation, success, match, hint, hintGeneration, round));
    }

    private Arbitrary<Message> voteRequests() {
        return Combinators.combine(ids(), ids(), numbers(), Arbitraries.of(true, false), numbers(), numbers())
                .as(VoteRequest::new);
    }

    private Arbitrary<Message> voteResponses() {
        return Combinators.combine(ids(), ids(), numbers(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(VoteResponse::new);
    }

    private Arbitrary<Message> readIndexRequests() {
        return Combinators.combine(ids(), ids(), numbers(), numbers(), Arbitraries.longs())
                .as(ReadIndexRequest::new);
    }

    private Arbitrary<Message> readIndexResponses() {
        return Combinators.combine(
                        ids(), ids(), numbers(), numbers(), Arbitraries.longs(), Arbitraries.of(true, false), numbers())
                .as(ReadIndexResponse::new);
    }

    private Arbitrary<Message> installSnapshots() {
        return Combinators.combine(ids(), ids(), numbers(), numbers(), numbers())
                .as(InstallSnapshot::new);
    }

    private Arbitrary<Message> timeoutNows() {
        return Combinators.combine(ids(), ids(), numbers()).as(TimeoutNow::new);
    }
}
