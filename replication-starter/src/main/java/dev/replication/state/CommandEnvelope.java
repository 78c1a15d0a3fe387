package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The payload of a COMMAND log entry: a {@link StateCommand} body wrapped with what the state
 * machine needs to apply it once and deterministically.
 *
 * <ul>
 *   <li>{@code timestamp}: the {@link HybridClock} stamp the leader puts in when it appends the
 *       entry ({@link #stamp(byte[], long, IdempotencyLimits)}); applying uses it as "now" and never
 *       reads a clock. 0 until stamped.</li>
 *   <li>{@code limits}: the leader's {@link IdempotencyLimits}, stamped with the timestamp;
 *       applying the entry forgets sessions and keys by them, so every replica does the same
 *       whatever its own configuration. Null until stamped.</li>
 *   <li>{@code clientId}, {@code sequence}: the client session. Every proposal of a client (for
 *       a node forwarding to the leader: its node id plus a per-process incarnation, so a
 *       restarted node is a new client) carries the next sequence number, starting at 1; a
 *       retried proposal keeps its sequence and is answered from the session instead of being
 *       applied twice. An empty client id means "no session".</li>
 *   <li>{@code firstUnacknowledged}: the lowest sequence of this client still waiting for its
 *       answer; the state machine may forget answers below it. A client that sends one request at
 *       a time passes its sequence.</li>
 *   <li>{@code idempotencyKey}: the application's key for the request, empty when none.</li>
 *   <li>{@code fingerprint}: a hash of the body, so the same key or sequence reused for a
 *       different request is detected.</li>
 * </ul>
 *
 * <p>Encoding (big-endian): version byte {@value #FORMAT_VERSION}; the stamp at a fixed offset, so
 * the leader can stamp without decoding: timestamp (8 bytes), retention in milliseconds (8),
 * idempotency key limit (4), session byte limit (8), all zero until stamped; then client id,
 * sequence, first unacknowledged sequence, idempotency key, fingerprint, body; strings and the
 * body are length-prefixed. {@value #STAMPED_HEADER_BYTES} bytes plus the strings and the body.
 */
public record CommandEnvelope(
        long timestamp,
        @Nullable IdempotencyLimits limits,
        String clientId,
        long sequence,
        long firstUnacknowledged,
        String idempotencyKey,
        long fingerprint,
        byte[] body) {

    /** The first byte of every encoded envelope; a different value is refused. */
    public static final byte FORMAT_VERSION = 2;

    /** The longest idempotency key, in UTF-8 bytes: a key is a request id, not data (as {@code IdempotentWrites.MAX_KEY_BYTES}). */
    public static final int MAX_IDEMPOTENCY_KEY_BYTES = 256;

    /** Bytes of an encoded envelope besides its client id, idempotency key and body. */
    public static final int STAMPED_HEADER_BYTES = 1 + 8 + 8 + 4 + 8 + 4 + 8 + 8 + 4 + 8 + 4;

    private static final int TIMESTAMP_OFFSET = 1;
    private static final int STAMP_BYTES = 8 + 8 + 4 + 8;

    /** An envelope not yet stamped with limits (they are stamped with the timestamp). */
    public CommandEnvelope(
            long timestamp,
            String clientId,
            long sequence,
            long firstUnacknowledged,
            String idempotencyKey,
            long fingerprint,
            byte[] body) {
        this(timestamp, null, clientId, sequence, firstUnacknowledged, idempotencyKey, fingerprint, body);
    }

    /** @param limits null until stamped */
    public CommandEnvelope {
        Objects.requireNonNull(clientId, "clientId (empty for none)");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey (empty for none)");
        Objects.requireNonNull(body, "body");
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0, was " + timestamp);
        }
        if (idempotencyKey.getBytes(StandardCharsets.UTF_8).length > MAX_IDEMPOTENCY_KEY_BYTES) {
            throw new IllegalArgumentException("an idempotency key has at most " + MAX_IDEMPOTENCY_KEY_BYTES
                    + " bytes (UTF-8), this one " + idempotencyKey.getBytes(StandardCharsets.UTF_8).length);
        }
        if (!clientId.isEmpty() && (sequence < 1 || firstUnacknowledged < 1 || firstUnacknowledged > sequence)) {
            throw new IllegalArgumentException("a client session needs 1 <= firstUnacknowledged <= sequence, was "
                    + firstUnacknowledged + " and " + sequence + " for client " + clientId);
        }
    }

    /**
     * An unstamped envelope for {@code body}, with its fingerprint computed.
     *
     * @param clientId the client session id, empty for none
     * @param idempotencyKey the application's idempotency key, null or empty for none
     */
    public static CommandEnvelope create(
            String clientId, long sequence, long firstUnacknowledged, @Nullable String idempotencyKey, byte[] body) {
        return new CommandEnvelope(
                0,
                clientId,
                sequence,
                firstUnacknowledged,
                idempotencyKey == null ? "" : idempotencyKey,
                fingerprint(body),
                body);
    }

    /** The first 8 bytes of the SHA-256 of {@code body}: equal bodies, equal fingerprints. */
    public static long fingerprint(byte[] body) {
        byte[] digest = sha256().digest(body);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (digest[i] & 0xFF);
        }
        return value;
    }

    public boolean hasClientSession() {
        return !clientId.isEmpty();
    }

    public boolean hasIdempotencyKey() {
        return !idempotencyKey.isEmpty();
    }

    public CommandEnvelope withTimestamp(long newTimestamp) {
        return new CommandEnvelope(
                newTimestamp, limits, clientId, sequence, firstUnacknowledged, idempotencyKey, fingerprint, body);
    }

    /** This envelope stamped: what {@link #stamp(byte[], long, IdempotencyLimits)} makes of its bytes. */
    public CommandEnvelope withStamp(long newTimestamp, IdempotencyLimits newLimits) {
        return new CommandEnvelope(
                newTimestamp,
                Objects.requireNonNull(newLimits, "limits"),
                clientId,
                sequence,
                firstUnacknowledged,
                idempotencyKey,
                fingerprint,
                body);
    }

    /** The size of this envelope encoded (stamping does not change it). */
    public int encodedSize() {
        return encodedSize(
                clientId.getBytes(StandardCharsets.UTF_8).length,
                idempotencyKey.getBytes(StandardCharsets.UTF_8).length,
                body.length);
    }

    /** The size of an encoded envelope with these lengths of client id, idempotency key and body. */
    public static int encodedSize(int clientIdBytes, int idempotencyKeyBytes, int bodyBytes) {
        return STAMPED_HEADER_BYTES + clientIdBytes + idempotencyKeyBytes + bodyBytes;
    }

    public byte[] encode() {
        byte[] key = idempotencyKey.getBytes(StandardCharsets.UTF_8);
        byte[] client = clientId.getBytes(StandardCharsets.UTF_8);
        BinaryWriter writer = new BinaryWriter(encodedSize(client.length, key.length, body.length))
                .writeByte(FORMAT_VERSION)
                .writeLong(timestamp);
        writeLimits(writer, limits);
        return writer.writeBytes(client)
                .writeLong(sequence)
                .writeLong(firstUnacknowledged)
                .writeBytes(key)
                .writeLong(fingerprint)
                .writeBytes(body)
                .toByteArray();
    }

    /** @throws IllegalArgumentException when {@code encoded} is not a valid envelope */
    public static CommandEnvelope decode(byte[] encoded) {
        BinaryReader reader = StateFormat.reader(encoded, "command envelope");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        long timestamp = reader.readLong("timestamp");
        IdempotencyLimits limits = readLimits(reader);
        CommandEnvelope envelope = new CommandEnvelope(
                timestamp,
                limits,
                reader.readString("client id"),
                reader.readLong("sequence"),
                reader.readLong("first unacknowledged sequence"),
                reader.readString("idempotency key"),
                reader.readLong("fingerprint"),
                reader.readBytes("body"));
        reader.requireEnd();
        return envelope;
    }

    /** A copy of an encoded envelope stamped with {@code timestamp} and the built-in {@link IdempotencyLimits#DEFAULTS}. */
    public static byte[] stamp(byte[] encoded, long timestamp) {
        return stamp(encoded, timestamp, IdempotencyLimits.DEFAULTS);
    }

    /**
     * A copy of an encoded envelope with its timestamp and limits set, without decoding the rest:
     * what the leader does when it appends the entry.
     */
    public static byte[] stamp(byte[] encoded, long timestamp, IdempotencyLimits limits) {
        Objects.requireNonNull(limits, "limits");
        BinaryReader reader = StateFormat.reader(encoded, "command envelope");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        reader.readLong("timestamp"); // fails unless the envelope is long enough to hold a stamp
        readLimits(reader);
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0, was " + timestamp);
        }
        BinaryWriter stamp = new BinaryWriter(STAMP_BYTES).writeLong(timestamp);
        writeLimits(stamp, limits);
        byte[] stamped = encoded.clone();
        System.arraycopy(stamp.toByteArray(), 0, stamped, TIMESTAMP_OFFSET, STAMP_BYTES);
        return stamped;
    }

    /** Writes {@code limits}, or zeros for null. */
    static void writeLimits(BinaryWriter writer, @Nullable IdempotencyLimits limits) {
        if (limits == null) {
            writer.writeLong(0).writeInt(0).writeLong(0);
        } else {
            writer.writeLong(limits.retentionMillis())
                    .writeInt(limits.maxIdempotencyKeys())
                    .writeLong(limits.maxSessionBytes());
        }
    }

    /** Null when not stamped (all zero). */
    static @Nullable IdempotencyLimits readLimits(BinaryReader reader) {
        long retentionMillis = reader.readLong("idempotency retention");
        int maxKeys = reader.readInt("idempotency key limit");
        long maxSessionBytes = reader.readLong("client session limit");
        if (retentionMillis == 0 && maxKeys == 0 && maxSessionBytes == 0) {
            return null;
        }
        try {
            return new IdempotencyLimits(Duration.ofMillis(retentionMillis), maxKeys, maxSessionBytes);
        } catch (IllegalArgumentException invalid) {
            throw reader.malformed("idempotency limits", String.valueOf(invalid.getMessage()));
        }
    }

    /** The timestamp of an encoded envelope, so a follower can observe it into its clock. */
    public static long timestampOf(byte[] encoded) {
        BinaryReader reader = StateFormat.reader(encoded, "command envelope");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        return reader.readLong("timestamp");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform but is missing", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CommandEnvelope that
                && timestamp == that.timestamp
                && Objects.equals(limits, that.limits)
                && clientId.equals(that.clientId)
                && sequence == that.sequence
                && firstUnacknowledged == that.firstUnacknowledged
                && idempotencyKey.equals(that.idempotencyKey)
                && fingerprint == that.fingerprint
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                timestamp,
                limits,
                clientId,
                sequence,
                firstUnacknowledged,
                idempotencyKey,
                fingerprint,
                Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "CommandEnvelope[ts=" + timestamp + ", client=" + clientId + "#" + sequence + ", key=" + idempotencyKey
                + ", " + body.length + "B]";
    }
}
