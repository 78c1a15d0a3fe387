package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The payload of a COMMAND log entry: a {@link StateCommand} body wrapped with what the state
 * machine needs to apply it once and deterministically.
 *
 * <ul>
 *   <li>{@code timestamp}: the {@link HybridClock} stamp the leader puts in when it appends the
 *       entry ({@link #stamp(byte[], long)}); applying uses it as "now" and never reads a clock.
 *       0 until stamped.</li>
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
 * <p>Encoding (big-endian): version byte {@value #FORMAT_VERSION}, timestamp (8 bytes, at a fixed
 * offset so the leader can stamp without decoding), client id, sequence, first unacknowledged
 * sequence, idempotency key, fingerprint, body; strings and the body are length-prefixed.
 */
public record CommandEnvelope(long timestamp, String clientId, long sequence, long firstUnacknowledged,
                              String idempotencyKey, long fingerprint, byte[] body) {

    /** The first byte of every encoded envelope; a different value is refused. */
    public static final byte FORMAT_VERSION = 1;

    private static final int TIMESTAMP_OFFSET = 1;

    public CommandEnvelope {
        Objects.requireNonNull(clientId, "clientId (empty for none)");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey (empty for none)");
        Objects.requireNonNull(body, "body");
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0, was " + timestamp);
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
    public static CommandEnvelope create(String clientId, long sequence, long firstUnacknowledged,
                                         @Nullable String idempotencyKey, byte[] body) {
        return new CommandEnvelope(0, clientId, sequence, firstUnacknowledged,
                idempotencyKey == null ? "" : idempotencyKey, fingerprint(body), body);
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
        return new CommandEnvelope(newTimestamp, clientId, sequence, firstUnacknowledged, idempotencyKey,
                fingerprint, body);
    }

    public byte[] encode() {
        byte[] key = idempotencyKey.getBytes(StandardCharsets.UTF_8);
        byte[] client = clientId.getBytes(StandardCharsets.UTF_8);
        return new BinaryWriter(1 + 8 + 4 + client.length + 8 + 8 + 4 + key.length + 8 + 4 + body.length)
                .writeByte(FORMAT_VERSION)
                .writeLong(timestamp)
                .writeBytes(client)
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
        CommandEnvelope envelope = new CommandEnvelope(reader.readLong("timestamp"), reader.readString("client id"),
                reader.readLong("sequence"), reader.readLong("first unacknowledged sequence"),
                reader.readString("idempotency key"), reader.readLong("fingerprint"), reader.readBytes("body"));
        reader.requireEnd();
        return envelope;
    }

    /**
     * A copy of an encoded envelope with its timestamp set, without decoding the rest: what the
     * leader does when it appends the entry.
     */
    public static byte[] stamp(byte[] encoded, long timestamp) {
        BinaryReader reader = StateFormat.reader(encoded, "command envelope");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        reader.readLong("timestamp"); // fails unless the envelope is long enough to hold one
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0, was " + timestamp);
        }
        byte[] stamped = encoded.clone();
        for (int i = 0; i < 8; i++) {
            stamped[TIMESTAMP_OFFSET + i] = (byte) (timestamp >>> (56 - 8 * i));
        }
        return stamped;
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
                && clientId.equals(that.clientId)
                && sequence == that.sequence
                && firstUnacknowledged == that.firstUnacknowledged
                && idempotencyKey.equals(that.idempotencyKey)
                && fingerprint == that.fingerprint
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, clientId, sequence, firstUnacknowledged, idempotencyKey, fingerprint,
                Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "CommandEnvelope[ts=" + timestamp + ", client=" + clientId + "#" + sequence
                + ", key=" + idempotencyKey + ", " + body.length + "B]";
    }
}
