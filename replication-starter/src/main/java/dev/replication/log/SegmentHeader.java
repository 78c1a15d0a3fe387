package dev.replication.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The first {@value #SIZE} bytes of every segment file: magic, format version, the index of
 * the segment's first record, and a CRC32C of those. A reader meeting another version stops
 * instead of misreading records written in a format it does not know.
 */
final class SegmentHeader {

    static final int SIZE = 20;
    static final int MAGIC = 0x5257414C; // "RWAL"
    /** 2: every record carries the forced length of its segment ({@link RecordFormat}). */
    static final int CURRENT_VERSION = 2;

    private SegmentHeader() {}

    static ByteBuffer encode(long firstIndex) {
        return encode(CURRENT_VERSION, firstIndex);
    }

    static ByteBuffer encode(int version, long firstIndex) {
        ByteBuffer buf = ByteBuffer.allocate(SIZE);
        buf.putInt(MAGIC).putInt(version).putLong(firstIndex);
        buf.putInt(crc(buf));
        return buf.flip();
    }

    /** What a header says, or why it cannot be trusted ({@code problem} is null exactly when it can). */
    record Parsed(long firstIndex, @Nullable String problem, boolean unsupportedVersion) {}

    static Parsed parse(ByteBuffer buf) {
        if (buf.limit() < SIZE) {
            return new Parsed(-1, "the file is shorter than a segment header (" + buf.limit() + " bytes)", false);
        }
        if (buf.getInt(0) != MAGIC) {
            return new Parsed(-1, "the file does not start with the segment magic number", false);
        }
        int version = buf.getInt(4);
        if (version >= 1 && version < CURRENT_VERSION) {
            return new Parsed(
                    -1,
                    "segment format version " + version + " was written by an earlier release; this build"
                            + " reads only version " + CURRENT_VERSION
                            + " (its records say which bytes were forced, so recovery"
                            + " after a power loss can keep every acknowledged record). Wipe this node's data directory and re-add the node"
                            + " so it catches up from its peers, or run the earlier release",
                    true);
        }
        if (version != CURRENT_VERSION) {
            return new Parsed(
                    -1,
                    "segment format version " + version + " is not supported by this build, which reads" + " version "
                            + CURRENT_VERSION + " (was the data written by a newer release?)",
                    true);
        }
        if (buf.getInt(16) != crc(buf)) {
            return new Parsed(-1, "the segment header checksum does not match", false);
        }
        return new Parsed(buf.getLong(8), null, false);
    }

    private static int crc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(0, 16));
        return (int) crc.getValue();
    }
}
