package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The idempotency keys the application chose, each with the fingerprint of its request and a
 * compact answer: status, version, timestamp and previous version, never a value, so every key
 * costs the same ({@value IdempotencyLimits#BYTES_PER_IDEMPOTENCY_KEY} bytes) whatever its request.
 * A key itself is held as the first 128 bits of its SHA-256, so long keys cost no more either; two
 * keys would have to collide in 128 bits to be mistaken for each other.
 *
 * <p>Kept in order of first use, which is the order of expiry (by log time) and of eviction
 * (when {@link IdempotencyLimits#maxIdempotencyKeys()} is reached, the oldest go first). A key
 * forgotten either way is unknown again: a retry carrying it is applied as a new request.
 *
 * <p>For checkpoints it records the keys added and forgotten since the last {@link #drainChanges
 * capture}. Keys are only ever added at the tail and forgotten from the head, so the added ones, in
 * the order they were added, all follow every key a previous checkpoint holds: a store keeps the
 * order by numbering them after its own.
 *
 * <p>Not thread-safe: only {@link ClientSessions} touches it.
 */
final class IdempotencyKeys {

    private final LinkedHashMap<KeyDigest, Answer> answers = new LinkedHashMap<>();
    private long evicted;
    private LinkedHashMap<KeyDigest, Answer> addedSinceCapture = new LinkedHashMap<>();
    private HashSet<KeyDigest> forgottenSinceCapture = new HashSet<>();

    int size() {
        return answers.size();
    }

    /** How many keys were forgotten before their retention because the bound was reached. */
    long evictedCount() {
        return evicted;
    }

    /** The log time the oldest remembered key was first applied, or -1 when none is remembered. */
    long oldestAppliedAtMillis() {
        return answers.isEmpty() ? -1 : answers.values().iterator().next().appliedAtMillis;
    }

    /** Forgets keys first applied before the retention, and the oldest beyond the bound. */
    void expire(long nowMillis, IdempotencyLimits limits) {
        long horizon = nowMillis - limits.retentionMillis();
        Iterator<Map.Entry<KeyDigest, Answer>> oldest = answers.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<KeyDigest, Answer> entry = oldest.next();
            if (entry.getValue().appliedAtMillis >= horizon) {
                break;
            }
            oldest.remove();
            forgotten(entry.getKey());
        }
        evictBeyond(limits.maxIdempotencyKeys());
    }

    /** The compact answer remembered for {@code key}, or null when the key is unknown. */
    @Nullable
    Answer answerFor(String key) {
        return answers.get(KeyDigest.of(key));
    }

    /** Remembers the answer to the first request carrying {@code key}. */
    void remember(String key, long fingerprint, StateResult result, long nowMillis, IdempotencyLimits limits) {
        KeyDigest digest = KeyDigest.of(key);
        Answer answer = new Answer(
                fingerprint,
                (byte) result.status().code(),
                result.version(),
                result.timestamp(),
                result.beforeVersion(),
                nowMillis);
        answers.put(digest, answer);
        // A digest also forgotten in this window stays so: a store deletes before it adds.
        addedSinceCapture.put(digest, answer);
        evictBeyond(limits.maxIdempotencyKeys());
    }

    private void evictBeyond(int maxKeys) {
        Iterator<KeyDigest> oldest = answers.keySet().iterator();
        while (answers.size() > maxKeys && oldest.hasNext()) {
            KeyDigest digest = oldest.next();
            oldest.remove();
            forgotten(digest);
            evicted++;
        }
    }

    private void forgotten(KeyDigest digest) {
        // A key added since the capture was never stored: nothing to delete.
        if (addedSinceCapture.remove(digest) == null) {
            forgottenSinceCapture.add(digest);
        }
    }

    /** The keys added (in the order of addition) and forgotten since the last call; starts afresh. */
    Changes drainChanges() {
        Changes changes = new Changes(addedSinceCapture, forgottenSinceCapture);
        addedSinceCapture = new LinkedHashMap<>();
        forgottenSinceCapture = new HashSet<>();
        return changes;
    }

    /** Every key in order, as a change from nothing; starts the change record afresh. */
    Changes all() {
        addedSinceCapture = new LinkedHashMap<>();
        forgottenSinceCapture = new HashSet<>();
        return new Changes(new LinkedHashMap<>(answers), Set.of());
    }

    /**
     * What changed between two captures; owned by the capture once drained (never modified again).
     */
    static final class Changes {
        private final Map<KeyDigest, Answer> added;
        private final Set<KeyDigest> forgotten;

        private Changes(Map<KeyDigest, Answer> added, Set<KeyDigest> forgotten) {
            this.added = added;
            this.forgotten = forgotten;
        }

        int size() {
            return added.size() + forgotten.size();
        }

        /**
         * These changes followed by {@code newer}, as one: a key forgotten or added again by the
         * newer leaves the older's addition; additions keep their order, the newer's last.
         */
        Changes followedBy(Changes newer) {
            LinkedHashMap<KeyDigest, Answer> mergedAdded = new LinkedHashMap<>(added);
            newer.forgotten.forEach(mergedAdded::remove);
            newer.added.forEach((digest, answer) -> {
                mergedAdded.remove(digest);
                mergedAdded.put(digest, answer);
            });
            Set<KeyDigest> mergedForgotten = new HashSet<>(forgotten);
            mergedForgotten.addAll(newer.forgotten);
            return new Changes(mergedAdded, mergedForgotten);
        }

        List<IdempotencyAnswer> added() {
            List<IdempotencyAnswer> list = new ArrayList<>(added.size());
            added.forEach((digest, answer) -> list.add(answer.toImage(digest)));
            return list;
        }

        List<IdempotencyAnswer.Digest> forgotten() {
            List<IdempotencyAnswer.Digest> list = new ArrayList<>(forgotten.size());
            forgotten.forEach(digest -> list.add(new IdempotencyAnswer.Digest(digest.high, digest.low)));
            return list;
        }
    }

    /** The keys of a checkpoint, in the order they were added (oldest first). */
    static IdempotencyKeys restore(List<IdempotencyAnswer> inOrder, long evictedCount) {
        IdempotencyKeys restored = new IdempotencyKeys();
        restored.evicted = evictedCount;
        for (IdempotencyAnswer image : inOrder) {
            restored.answers.put(
                    new KeyDigest(image.digest().high(), image.digest().low()),
                    new Answer(
                            image.fingerprint(),
                            knownStatus(image.status()),
                            image.version(),
                            image.timestamp(),
                            image.beforeVersion(),
                            image.appliedAtMillis()));
        }
        return restored;
    }

    private static byte knownStatus(int code) {
        for (StateResult.Status known : StateResult.Status.values()) {
            if (known.code() == code) {
                return (byte) code;
            }
        }
        throw new IllegalArgumentException("an idempotency key answer in the checkpoint has the unknown status code "
                + code + ": it was written by another release or is corrupt");
    }

    void writeTo(BinaryWriter writer) {
        writer.writeLong(evicted).writeInt(answers.size());
        for (Map.Entry<KeyDigest, Answer> entry : answers.entrySet()) {
            Answer answer = entry.getValue();
            writer.writeLong(entry.getKey().high)
                    .writeLong(entry.getKey().low)
                    .writeLong(answer.fingerprint)
                    .writeByte(answer.status)
                    .writeLong(answer.version)
                    .writeLong(answer.timestamp)
                    .writeLong(answer.beforeVersion)
                    .writeLong(answer.appliedAtMillis);
        }
    }

    static IdempotencyKeys readFrom(BinaryReader reader) {
        IdempotencyKeys restored = new IdempotencyKeys();
        restored.evicted = reader.readLong("evicted idempotency key count");
        int count = reader.readInt("idempotency key count");
        for (int i = 0; i < count; i++) {
            KeyDigest key =
                    new KeyDigest(reader.readLong("idempotency key digest"), reader.readLong("idempotency key digest"));
            long fingerprint = reader.readLong("idempotency key fingerprint");
            int status = reader.readByte("idempotency key answer status");
            StateResult.Status.fromCode(status, reader); // refuses an unknown status now, not at a retry
            restored.answers.put(
                    key,
                    new Answer(
                            fingerprint,
                            (byte) status,
                            reader.readLong("answer version"),
                            reader.readLong("answer timestamp"),
                            reader.readLong("answer previous version"),
                            reader.readLong("answer time")));
        }
        return restored;
    }

    /** What a key remembers: the fingerprint of its request and the compact answer to it. */
    record Answer(
            long fingerprint, byte status, long version, long timestamp, long beforeVersion, long appliedAtMillis) {

        StateResult result() {
            for (StateResult.Status known : StateResult.Status.values()) {
                if (known.code() == status) {
                    return new StateResult(known, version, timestamp, beforeVersion, null, "");
                }
            }
            throw new IllegalStateException("idempotency key answer with unknown status code " + status);
        }

        IdempotencyAnswer toImage(KeyDigest digest) {
            return new IdempotencyAnswer(
                    new IdempotencyAnswer.Digest(digest.high, digest.low),
                    fingerprint,
                    status,
                    version,
                    timestamp,
                    beforeVersion,
                    appliedAtMillis);
        }
    }

    /** The first 128 bits of the SHA-256 of a key's UTF-8 bytes. */
    record KeyDigest(long high, long low) {

        static KeyDigest of(String key) {
            byte[] digest = sha256().digest(key.getBytes(StandardCharsets.UTF_8));
            return new KeyDigest(longAt(digest, 0), longAt(digest, 8));
        }

        private static long longAt(byte[] bytes, int offset) {
            long value = 0;
            for (int i = offset; i < offset + 8; i++) {
                value = (value << 8) | (bytes[i] & 0xFF);
            }
            return value;
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every Java platform but is missing", e);
            }
        }
    }
}
