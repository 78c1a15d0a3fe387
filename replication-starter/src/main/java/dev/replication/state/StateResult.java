package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What applying a command answered: the bytes {@link KeyValueStateMachine#apply} returns and the
 * gateway hands back to the writer (and what client sessions cache for retries).
 *
 * @param status the outcome
 * @param version for {@link Status#APPLIED}: the log index of this write (the key's new version
 *     after a put); otherwise 0
 * @param timestamp for {@link Status#APPLIED}: the hybrid timestamp of this write; otherwise 0
 * @param before the key's value just before this entry was applied, null when absent: the
 *     previous value after a write, the current value after a {@link Status#VERSION_CONFLICT}
 * @param detail for refusals: what went wrong, for the error message; otherwise empty
 */
public record StateResult(Status status, long version, long timestamp, @Nullable StoredValue before, String detail) {

    /** The first byte of every encoded result; a different value is refused. */
    public static final byte FORMAT_VERSION = 1;

    /** How a command ended. Codes are stable on the wire. */
    public enum Status {
        /** The write was applied. */
        APPLIED(0),
        /** A conditional write found another version and changed nothing. */
        VERSION_CONFLICT(1),
        /** The idempotency key was first used for a different request; nothing was applied. */
        IDEMPOTENCY_KEY_CONFLICT(2),
        /** The client reused a session sequence number for a different request; nothing was applied. */
        SEQUENCE_REUSED(3),
        /**
         * The client's answer for this sequence was already discarded (the client acknowledged
         * it); whether it was applied is unknown here.
         */
        ANSWER_DISCARDED(4),
        /** The command could not be decoded; nothing was applied. */
        MALFORMED(5);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        static Status fromCode(int code, BinaryReader reader) {
            for (Status status : values()) {
                if (status.code == code) {
                    return status;
                }
            }
            throw reader.malformed("status", "unknown status code " + code);
        }
    }

    public StateResult {
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
    }

    static StateResult applied(long version, long timestamp, @Nullable StoredValue before) {
        return new StateResult(Status.APPLIED, version, timestamp, before, "");
    }

    static StateResult refused(Status status, @Nullable StoredValue current, String detail) {
        return new StateResult(status, 0, 0, current, detail);
    }

    public byte[] encode() {
        BinaryWriter writer = new BinaryWriter(32 + (before == null ? 0 : before.value().length))
                .writeByte(FORMAT_VERSION)
                .writeByte(status.code)
                .writeLong(version)
                .writeLong(timestamp);
        if (before == null) {
            writer.writeByte(0);
        } else {
            writer.writeByte(1).writeBytes(before.value()).writeLong(before.version()).writeLong(before.timestamp());
        }
        return writer.writeString(detail).toByteArray();
    }

    /** @throws IllegalArgumentException when {@code encoded} is not a valid result */
    public static StateResult decode(byte[] encoded) {
        BinaryReader reader = StateFormat.reader(encoded, "state result");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        Status status = Status.fromCode(reader.readByte("status"), reader);
        long version = reader.readLong("version");
        long timestamp = reader.readLong("timestamp");
        StoredValue before = reader.readByte("previous value present") == 0 ? null
                : new StoredValue(reader.readBytes("previous value"), reader.readLong("previous value version"),
                        reader.readLong("previous value timestamp"));
        StateResult result = new StateResult(status, version, timestamp, before, reader.readString("detail"));
        reader.requireEnd();
        return result;
    }
}
