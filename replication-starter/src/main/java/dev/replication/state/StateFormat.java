package dev.replication.state;

import dev.replication.codec.BinaryReader;

/** What every binary format of this package shares: how a reader of one reports malformed bytes. */
final class StateFormat {

    /** These bytes are in the log and in snapshots: bad ones are another release's, or corruption. */
    private static final String REMEDY = "it was written by another release or is corrupt: run the same release"
            + " on every node, and check the disk and log integrity";

    private StateFormat() {}

    /** @param format what {@code bytes} are, e.g. "command envelope" */
    static BinaryReader reader(byte[] bytes, String format) {
        return new BinaryReader(bytes, format, REMEDY);
    }

    /** Reads the version byte every format starts with, refusing any other than {@code expected}. */
    static void requireVersion(BinaryReader reader, int expected) {
        int version = reader.readByte("format version");
        if (version != expected) {
            throw reader.malformed(
                    "format version",
                    "format version " + version + ", this node reads only " + expected
                            + " (upgrade every node to the same release)");
        }
    }
}
