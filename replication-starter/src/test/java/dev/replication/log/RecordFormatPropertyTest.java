package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The record framing round-trips every entry and its CRC catches any flipped bit. */
class RecordFormatPropertyTest {

    @Property(tries = 300)
    void anEncodedRecordDecodesToTheSameEntry(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long generation,
            @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long index,
            @ForAll EntryType type,
            @ForAll @Size(max = 600) byte[] payload) {
        LogEntry entry = new LogEntry(generation, index, type, payload);
        ByteBuffer buf = encode(entry);

        assertThat(RecordFormat.validFrameSize(buf, 0)).isEqualTo(RecordFormat.encodedSize(entry));
        assertThat(RecordFormat.decode(buf, 0)).isEqualTo(entry);
    }

    @Property(tries = 300)
    void flippingAnyBitOfARecordMakesItInvalid(
            @ForAll @Size(max = 300) byte[] payload, @ForAll @IntRange(min = 0, max = 1_000_000) int bitChoice) {
        LogEntry entry = new LogEntry(3, 42, EntryType.COMMAND, payload);
        ByteBuffer buf = encode(entry);
        int bit = bitChoice % (buf.limit() * 8);

        buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));

        assertThat(RecordFormat.validFrameSize(buf, 0)).isEqualTo(-1);
    }

    private static ByteBuffer encode(LogEntry entry) {
        ByteBuffer buf = ByteBuffer.allocate(RecordFormat.encodedSize(entry));
        RecordFormat.encode(entry, SegmentHeader.SIZE, buf);
        return buf.flip();
    }
}
