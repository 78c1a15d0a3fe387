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
 * @param beforeVersion the version of the key's value just before this entry was applied, 0 when
 *     absent: the previous version after a write, the current one after a
 *     {@link Status#VERSION_CONFLICT}
 * @param before that value itself, null when absent, and also null in a {@link #compact()} answer
 *     (what an idempotency key remembers: then only {@code beforeVersion} is known)
 * @param detail for refusals: what went wrong, for the error message; otherwise empty
 */
public record StateResult(
        Status status,
        long version,
        long timestamp,
        long beforeVersion,
        @Nullable StoredValue before,
        String detail) {

    /** The first byte of every encoded result; a different value is refused. */
    public static final byte FORMAT_VERSION = 2;

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

        /** The stable code of this status on the wire. */
        int code() {
            return code;
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
        if (before != null && before.version() != beforeVersion) {
            throw new IllegalArgumentException(
                    "the previous value has version " + before.version() + " but the result says " + beforeVersion);
        }
    }

    static StateResult applied(long version, long timestamp, @Nullable StoredValue before) {
        return new StateResult(Status.APPLIED, version, timestamp, versionOf(before), before, "");
    }

    static StateResult refused(Status status, @Nullable StoredValue current, String detail) {
        return new StateResult(status, 0, 0, versionOf(current), current, detail);
    }

    /** Whether the previous value itself is known (always, unless this is a {@link #compact()} answer of a present key). */
    public boolean knowsBefore() {
        return beforeVersion == 0 || before != null;
    }

    /** The same answer without the previous value and the detail: what an idempotency key remembers. */
    public StateResult compact() {
        return new StateResult(status, version, timestamp, beforeVersion, null, "");
    }

    private static long versionOf(@Nullable StoredValue value) {
        return value == null ? 0 : value.version();
    }

    public byte[] encode() {
        BinaryWriter writer = new BinaryWriter(32 + (before == null ? 0 : before.value().length))
                .writeByte(FORMAT_VERSION)
                .writeByte(status.code)
                .writeLong(version)
                .writeLong(timestamp)
                .writeLong(beforeVersion);
        if (before == null) {
            writer.writeByte(0);
        } else {
            writer.writeByte(1).writeBytes(before.value()).writeLong(before.timestamp());
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
        long beforeVersion = reader.readLong("previous version");
        StoredValue before = null;
        if (reader.readByte("previous value present") != 0) {
            if (beforeVersion < 1) {
                throw reader.malformed("previous value", "a previous value needs a version >= 1, was " + beforeVersion);
            }
            before = new StoredValue(
                    reader.readBytes("previous value"), beforeVersion, reader.readLong("previous value timestamp"));
        }
        StateResult result =
                new StateResult(status, version, timestamp, beforeVersion, before, reader.readString("detail"));
        reader.requireEnd();
        return result;
    }
}
