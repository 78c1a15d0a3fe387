package dev.replication.log;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * On-disk framing of one log entry (big-endian), segment format version 2:
 *
 * <pre>
 * int  length      bytes of the body that follows the crc (21 + payload)
 * int  crc         CRC32C over the length field and the body
 * long generation  \
 * long index        |
 * byte type         | body
 * int  forced       | bytes of this segment already forced when the record was written
 * byte[] payload   /
 * </pre>
 *
 * The CRC covers the length too, so a damaged length is caught rather than followed.
 * {@code forced} is what lets recovery tell a torn tail from damage (see {@link LogRecovery}):
 * a valid record is proof that the first {@code forced} bytes of its segment were durable.
 */
final class RecordFormat {

    static final int FRAME_HEADER = 8;
    static final int BODY_HEADER = 21;
    private static final int TYPE_AT = FRAME_HEADER + 16;
    private static final int FORCED_AT = FRAME_HEADER + 17;
    /** Bytes a record adds to its payload. */
    static final int OVERHEAD = FRAME_HEADER + BODY_HEADER;

    private RecordFormat() {}

    static int encodedSize(LogEntry entry) {
        return OVERHEAD + entry.payloadSize();
    }

    /**
     * Writes the framed record at {@code out}'s position and advances it; {@code forcedBytes}
     * is how much of the segment it goes to was forced before this write.
     */
    static void encode(LogEntry entry, long forcedBytes, ByteBuffer out) {
        int start = out.position();
        int bodyLength = BODY_HEADER + entry.payloadSize();
        out.putInt(bodyLength);
        out.putInt(0);
        out.putLong(entry.generation());
        out.putLong(entry.index());
        out.put(entry.type().code());
        out.putInt(Math.toIntExact(forcedBytes));
        out.put(entry.payload());
        out.putInt(start + 4, crc(out, start, bodyLength));
    }

    /**
     * Checks the frame starting at {@code pos} of {@code buf} (which holds valid bytes up to its
     * limit): complete, CRC intact and a known type. Returns the frame's total size, or -1.
     */
    static int validFrameSize(ByteBuffer buf, int pos) {
        int available = buf.limit() - pos;
        if (available < OVERHEAD) {
            return -1;
        }
        int bodyLength = buf.getInt(pos);
        if (bodyLength < BODY_HEADER || bodyLength > available - FRAME_HEADER) {
            return -1;
        }
        if (buf.getInt(pos + 4) != crc(buf, pos, bodyLength)) {
            return -1;
        }
        if (!knownType(buf.get(pos + TYPE_AT))) {
            return -1;
        }
        return FRAME_HEADER + bodyLength;
    }

    /** The index field of the frame at {@code pos}; meaningful only for a valid frame. */
    static long indexAt(ByteBuffer buf, int pos) {
        return buf.getLong(pos + FRAME_HEADER + 8);
    }

    /** The forced length of its segment the frame at {@code pos} vouches for; meaningful only for a valid frame. */
    static long forcedBytesAt(ByteBuffer buf, int pos) {
        return buf.getInt(pos + FORCED_AT);
    }

    /** The body length claimed by the frame header at {@code pos} (not yet verified). */
    static int bodyLengthAt(ByteBuffer buf, int pos) {
        return buf.getInt(pos);
    }

    /** Decodes a frame already checked by {@link #validFrameSize}. */
    static LogEntry decode(ByteBuffer buf, int pos) {
        int bodyLength = buf.getInt(pos);
        long generation = buf.getLong(pos + FRAME_HEADER);
        long index = buf.getLong(pos + FRAME_HEADER + 8);
        EntryType type = EntryType.fromCode(buf.get(pos + TYPE_AT));
        byte[] payload = new byte[bodyLength - BODY_HEADER];
        buf.get(pos + OVERHEAD, payload);
        return new LogEntry(generation, index, type, payload);
    }

    private static boolean knownType(byte code) {
        for (EntryType type : EntryType.values()) {
            if (type.code() == code) {
                return true;
            }
        }
        return false;
    }

    private static int crc(ByteBuffer buf, int start, int bodyLength) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(start, 4));
        crc.update(buf.slice(start + FRAME_HEADER, bodyLength));
        return (int) crc.getValue();
    }
}
