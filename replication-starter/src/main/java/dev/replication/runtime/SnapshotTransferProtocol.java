package dev.replication.runtime;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.nio.ByteBuffer;

/**
 * The bodies of the {@code install-snapshot} peer call: one chunk of a snapshot file from leader
 * to follower, and the follower's answer. Compact binary with a version byte first, like the
 * forwarding protocol, because leader and follower may run different releases.
 *
 * <p>Request, version 1 (numbers big-endian):
 *
 * <pre>
 * u8  version = 1
 * u64 leader generation     the generation of the leader sending it
 * u64 snapshot index        the last log index the snapshot covers
 * u64 snapshot generation   the generation of the entry at that index
 * u64 total length          of the whole file, on every chunk, so an oversized one is refused at once
 * u64 offset                where this chunk's data starts in the file
 * u8  last                  1 on the chunk that ends at the total length, else 0
 * u32 checksum              CRC32C of the whole file on the last chunk, else 0
 * u32 data length, then the data
 * </pre>
 *
 * <p>Answer, version 1: {@code u8 version = 1}, {@code u8 kind}, then per kind: 0 continue
 * ({@code u64} the offset the receiver expects next), 1 complete ({@code u64} the length it holds
 * durably), 2 restart, 3 refused, 4 unavailable (each a reason as a DataOutput string: two-byte
 * length, modified UTF-8).
 */
final class SnapshotTransferProtocol {

    static final String INSTALL_SNAPSHOT = "install-snapshot";

    static final byte VERSION = 1;
    /** Everything of a chunk request but its data: what the sender leaves free below the peer's request limit. */
    static final int CHUNK_HEADER_BYTES = 1 + 5 * 8 + 1 + 4 + 4;

    private static final byte CONTINUE = 0;
    private static final byte COMPLETE = 1;
    private static final byte RESTART = 2;
    private static final byte REFUSED = 3;
    private static final byte UNAVAILABLE = 4;
    private static final String REMEDY = "run the same release on every node";

    private SnapshotTransferProtocol() {}

    /** Which snapshot a chunk belongs to, and who sent it in which generation. */
    record SnapshotId(long leaderGeneration, long snapshotIndex, long snapshotGeneration, long totalLength) {}

    /** One decoded chunk; {@code checksum} is meaningful only when {@code last}. */
    record Chunk(SnapshotId snapshot, long offset, boolean last, int checksum, byte[] data) {}

    /** The receiver's answer to a chunk. */
    sealed interface Answer {
        /** Send from {@code nextOffset} on: what the receiver holds (durably or buffered) ends there. */
        record Continue(long nextOffset) implements Answer {}

        /** The receiver holds the whole snapshot durably and has handed it on. */
        record Complete(long length) implements Answer {}

        /** Length or checksum did not match: the receiver deleted what it had; start again from 0. */
        record Restart(String reason) implements Answer {}

        /** This transfer will never be accepted (older snapshot, too large, inconsistent): give up. */
        record Refused(String reason) implements Answer {}

        /** The receiver could not handle the chunk now (a disk error): retry later. */
        record Unavailable(String reason) implements Answer {}
    }

    /**
     * A chunk request whose data the caller fills in place: the returned buffer is positioned at
     * the data, with {@code dataLength} bytes left, so the file can be read straight into the
     * request body (one buffer per chunk, no copy). {@link #sealChunk} then writes the checksum.
     */
    static ByteBuffer openChunk(SnapshotId snapshot, long offset, boolean last, int dataLength) {
        ByteBuffer body = ByteBuffer.allocate(CHUNK_HEADER_BYTES + dataLength);
        body.put(VERSION)
                .putLong(snapshot.leaderGeneration())
                .putLong(snapshot.snapshotIndex())
                .putLong(snapshot.snapshotGeneration())
                .putLong(snapshot.totalLength())
                .putLong(offset)
                .put((byte) (last ? 1 : 0))
                .putInt(0)
                .putInt(dataLength);
        return body;
    }

    /** Sets the whole file's checksum of a chunk from {@link #openChunk} (the last one) and returns its bytes. */
    static byte[] sealChunk(ByteBuffer body, int checksum) {
        body.putInt(CHUNK_HEADER_BYTES - 8, checksum);
        return body.array();
    }

    static byte[] encodeChunk(Chunk chunk) {
        ByteBuffer body = openChunk(chunk.snapshot(), chunk.offset(), chunk.last(), chunk.data().length);
        body.put(chunk.data());
        return sealChunk(body, chunk.checksum());
    }

    static Chunk decodeChunk(byte[] bytes) {
        BinaryReader in = reader(bytes, "snapshot chunk");
        SnapshotId snapshot = new SnapshotId(
                in.readLong("leader generation"),
                in.readLong("snapshot index"),
                in.readLong("snapshot generation"),
                in.readLong("total length"));
        long offset = in.readLong("offset");
        boolean last = in.readBoolean("last");
        int checksum = in.readInt("checksum");
        byte[] data = in.readBytes("data");
        in.requireEnd();
        if (snapshot.totalLength() < 0 || offset < 0 || offset > snapshot.totalLength() - data.length) {
            throw in.malformed(
                    "offset",
                    "a chunk of " + data.length + " bytes at offset " + offset + " does not fit in a snapshot of "
                            + snapshot.totalLength() + " bytes");
        }
        if (last != (offset + data.length == snapshot.totalLength())) {
            throw in.malformed(
                    "last",
                    "a chunk ending at " + (offset + data.length) + " of " + snapshot.totalLength() + " bytes is "
                            + (last ? "" : "not ") + "marked last");
        }
        return new Chunk(snapshot, offset, last, checksum, data);
    }

    static byte[] encodeAnswer(Answer answer) {
        BinaryWriter out = new BinaryWriter(32).writeByte(VERSION);
        if (answer instanceof Answer.Continue next) {
            out.writeByte(CONTINUE).writeLong(next.nextOffset());
        } else if (answer instanceof Answer.Complete complete) {
            out.writeByte(COMPLETE).writeLong(complete.length());
        } else if (answer instanceof Answer.Restart restart) {
            out.writeByte(RESTART).writeModifiedUtf8(shortened(restart.reason()));
        } else if (answer instanceof Answer.Refused refused) {
            out.writeByte(REFUSED).writeModifiedUtf8(shortened(refused.reason()));
        } else {
            out.writeByte(UNAVAILABLE).writeModifiedUtf8(shortened(((Answer.Unavailable) answer).reason()));
        }
        return out.toByteArray();
    }

    static Answer decodeAnswer(byte[] bytes) {
        BinaryReader in = reader(bytes, "snapshot chunk answer");
        int kind = in.readByte("answer kind");
        Answer answer = switch (kind) {
            case CONTINUE -> new Answer.Continue(in.readLong("next offset"));
            case COMPLETE -> new Answer.Complete(in.readLong("length"));
            case RESTART -> new Answer.Restart(in.readModifiedUtf8("reason"));
            case REFUSED -> new Answer.Refused(in.readModifiedUtf8("reason"));
            case UNAVAILABLE -> new Answer.Unavailable(in.readModifiedUtf8("reason"));
            default -> throw in.malformed("answer kind", "unknown snapshot chunk answer kind " + kind);
        };
        in.requireEnd();
        return answer;
    }

    /** A reason fits the two-byte length of its string however long an I/O error's message is. */
    private static String shortened(String reason) {
        return reason.length() > 4000 ? reason.substring(0, 4000) + "..." : reason;
    }

    private static BinaryReader reader(byte[] bytes, String format) {
        BinaryReader in = new BinaryReader(bytes, format, REMEDY);
        int version = in.readByte("version");
        if (version != VERSION) {
            throw in.malformed(
                    "version",
                    "snapshot transfer protocol version " + version + " is not supported (this node speaks version "
                            + VERSION + ")");
        }
        return in;
    }
}
