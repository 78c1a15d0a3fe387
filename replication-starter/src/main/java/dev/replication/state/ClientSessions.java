package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Idempotent Receiver: remembers the answers the state machine gave, so a retried proposal is
 * answered from here instead of being applied twice. Part of the replicated state: every replica
 * holds the same sessions because it applies the same entries with the same log times and the
 * same {@link IdempotencyLimits} (the ones stamped into each entry by its leader).
 *
 * <p>Two kinds of memory:
 * <ul>
 *   <li>client sessions, keyed by (client id, sequence): the answers a client may still ask for
 *       again, from its {@code firstUnacknowledged} sequence up, in full (a retried
 *       {@code ReplicatedMap.put} must still return the previous value). They are the answers of
 *       requests in flight, so few; bounded by {@value #MAX_ANSWERS_PER_CLIENT} per client and by
 *       {@link IdempotencyLimits#maxSessionBytes()} in all, beyond which the least recently active
 *       sessions lose their oldest answers first (a retry of a discarded one is answered
 *       {@link StateResult.Status#ANSWER_DISCARDED}: outcome unknown, never applied twice), then
 *       themselves. A session unused for the retention is forgotten.</li>
 *   <li>{@link IdempotencyKeys}: the application's keys, each with a compact answer (no value),
 *       bounded by count and kept for the retention after first use.</li>
 * </ul>
 * Each remembered request carries the fingerprint of its body: the same sequence or key with a
 * different body is refused, never applied.
 *
 * <p>Time is log time: the physical part of the leader's stamp on the entry being applied, never
 * a local clock. A retry arriving after its key was forgotten (expired, or evicted by the bound)
 * is applied as a new request.
 *
 * <p>For checkpoints it records which sessions changed since the last {@link #drainChanges
 * capture} (and the keys do the same): a capture copies only those. Each use of a session gives it
 * the next {@code touchOrder}, so a checkpoint restores the least-recently-used order exactly.
 *
 * <p>Not thread-safe: only {@link KeyValueStateMachine} touches it, under its lock.
 */
final class ClientSessions {

    /** Answers kept per client session at most, even if the client never acknowledges them. */
    public static final int MAX_ANSWERS_PER_CLIENT = 1024;
    /** What a session costs besides its answers and client id, counted against the byte bound. */
    static final int SESSION_OVERHEAD_BYTES = 160;
    /** What a cached answer costs besides its encoded bytes. */
    static final int ANSWER_OVERHEAD_BYTES = 80;

    // Access order: the least recently used session comes first, ready to expire or be evicted.
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final IdempotencyKeys idempotencyKeys;
    private long sessionBytes;
    private long touchClock;
    // The sessions used, changed or forgotten since the last capture, by client id.
    private HashMap<String, Session> changedSinceCapture = new HashMap<>();

    ClientSessions() {
        this(new IdempotencyKeys());
    }

    private ClientSessions(IdempotencyKeys idempotencyKeys) {
        this.idempotencyKeys = idempotencyKeys;
    }

    /** How many client sessions are remembered. */
    int sessionCount() {
        return sessions.size();
    }

    /** The bytes the sessions count against {@link IdempotencyLimits#maxSessionBytes()}. */
    long sessionBytes() {
        return sessionBytes;
    }

    /** How many idempotency keys are remembered. */
    int idempotencyKeyCount() {
        return idempotencyKeys.size();
    }

    /** How many idempotency keys were forgotten before their retention because the bound was reached. */
    long evictedIdempotencyKeyCount() {
        return idempotencyKeys.evictedCount();
    }

    /** Forgets sessions idle for longer than the retention and keys first used before it. */
    void expire(long nowMillis, IdempotencyLimits limits) {
        long horizon = nowMillis - limits.retentionMillis();
        Iterator<Map.Entry<String, Session>> idle = sessions.entrySet().iterator();
        while (idle.hasNext()) {
            Map.Entry<String, Session> entry = idle.next();
            Session session = entry.getValue();
            if (session.lastActiveMillis >= horizon) {
                break;
            }
            sessionBytes -= session.bytes;
            idle.remove();
            forgotten(entry.getKey(), session);
        }
        idempotencyKeys.expire(nowMillis, limits);
    }

    /**
     * The answer for {@code envelope} if its request was seen before (the cached result, or a
     * refusal when its sequence or key was used for a different request), or null when it is new
     * and must be applied and then {@link #remember remembered}.
     */
    byte @Nullable [] answerIfSeen(CommandEnvelope envelope, long nowMillis, IdempotencyLimits limits) {
        if (envelope.hasClientSession()) {
            Session session = use(envelope.clientId());
            if (session != null) {
                session.lastActiveMillis = nowMillis;
                sessionBytes -= session.forgetBelow(envelope.firstUnacknowledged());
                if (envelope.sequence() < session.firstRetained) {
                    return StateResult.refused(
                                    StateResult.Status.ANSWER_DISCARDED,
                                    null,
                                    "the answer to request " + envelope.sequence() + " of client " + envelope.clientId()
                                            + " was discarded (acknowledged by the client, or beyond the session bound)")
                            .encode();
                }
                Answer earlier = session.answers.get(envelope.sequence());
                if (earlier != null) {
                    if (earlier.fingerprint == envelope.fingerprint()) {
                        return earlier.result;
                    }
                    return StateResult.refused(
                                    StateResult.Status.SEQUENCE_REUSED,
                                    null,
                                    "client " + envelope.clientId() + " reused sequence " + envelope.sequence()
                                            + " for a different request")
                            .encode();
                }
            }
        }
        if (envelope.hasIdempotencyKey()) {
            IdempotencyKeys.Answer earlier = idempotencyKeys.answerFor(envelope.idempotencyKey());
            if (earlier != null) {
                byte[] answer = earlier.fingerprint() == envelope.fingerprint()
                        ? earlier.result().encode()
                        : StateResult.refused(
                                        StateResult.Status.IDEMPOTENCY_KEY_CONFLICT,
                                        null,
                                        "idempotency key '" + envelope.idempotencyKey()
                                                + "' was already used for a different request")
                                .encode();
                // The session answers a retry of this very proposal the same way.
                rememberInSession(envelope, answer, nowMillis, limits);
                return answer;
            }
        }
        return null;
    }

    /** Remembers the result of applying a new request. */
    void remember(CommandEnvelope envelope, StateResult result, long nowMillis, IdempotencyLimits limits) {
        if (envelope.hasIdempotencyKey()) {
            // The caller of a keyed write gets only what the key remembers, retried or not.
            StateResult compact = result.compact();
            idempotencyKeys.remember(envelope.idempotencyKey(), envelope.fingerprint(), compact, nowMillis, limits);
            rememberInSession(envelope, compact.encode(), nowMillis, limits);
        } else {
            rememberInSession(envelope, result.encode(), nowMillis, limits);
        }
    }

    private void rememberInSession(CommandEnvelope envelope, byte[] result, long nowMillis, IdempotencyLimits limits) {
        if (!envelope.hasClientSession()) {
            return;
        }
        Session session = use(envelope.clientId());
        if (session == null) {
            session = new Session(SESSION_OVERHEAD_BYTES + envelope.clientId().getBytes(StandardCharsets.UTF_8).length);
            sessions.put(envelope.clientId(), session);
            sessionBytes += session.bytes;
            session.touchOrder = ++touchClock;
            changedSinceCapture.put(envelope.clientId(), session);
        }
        session.lastActiveMillis = nowMillis;
        sessionBytes -= session.forgetBelow(envelope.firstUnacknowledged());
        sessionBytes += session.add(envelope.sequence(), new Answer(envelope.fingerprint(), result));
        while (session.answers.size() > MAX_ANSWERS_PER_CLIENT) {
            sessionBytes -= session.discardOldest();
        }
        evictBeyond(limits.maxSessionBytes(), session);
    }

    /** Least recently active first: their oldest answers, then the sessions, never the current one. */
    private void evictBeyond(long maxBytes, Session current) {
        Iterator<Map.Entry<String, Session>> leastRecent = sessions.entrySet().iterator();
        while (sessionBytes > maxBytes && leastRecent.hasNext()) {
            Map.Entry<String, Session> entry = leastRecent.next();
            Session session = entry.getValue();
            if (!session.answers.isEmpty()) {
                changedSinceCapture.put(entry.getKey(), session);
            }
            while (sessionBytes > maxBytes && !session.answers.isEmpty()) {
                sessionBytes -= session.discardOldest();
            }
            if (sessionBytes > maxBytes && session != current) {
                sessionBytes -= session.bytes;
                leastRecent.remove();
                forgotten(entry.getKey(), session);
            }
        }
    }

    /** The session of {@code clientId}, now the most recently used, or null when there is none. */
    private @Nullable Session use(String clientId) {
        Session session = sessions.get(clientId);
        if (session != null) {
            session.touchOrder = ++touchClock;
            changedSinceCapture.put(clientId, session);
        }
        return session;
    }

    private void forgotten(String clientId, Session session) {
        session.forgotten = true;
        changedSinceCapture.put(clientId, session);
    }

    /**
     * Copies of the sessions changed since the last call, and the client ids of those forgotten;
     * O(sessions changed and their answers), never O(all sessions). The answers' bytes are shared,
     * not copied (they are never modified).
     */
    SessionChanges drainChanges() {
        HashMap<String, Session> changed = changedSinceCapture;
        changedSinceCapture = new HashMap<>();
        List<SessionImage> written = new ArrayList<>();
        List<String> forgotten = new ArrayList<>();
        changed.forEach((clientId, session) -> {
            if (session.forgotten) {
                forgotten.add(clientId);
            } else {
                written.add(session.toImage(clientId));
            }
        });
        return new SessionChanges(written, forgotten, idempotencyKeys.drainChanges());
    }

    /** Copies of every session, as a change from nothing; starts the change record afresh. */
    SessionChanges all() {
        changedSinceCapture = new HashMap<>();
        List<SessionImage> written = new ArrayList<>(sessions.size());
        sessions.forEach((clientId, session) -> written.add(session.toImage(clientId)));
        return new SessionChanges(written, List.of(), idempotencyKeys.all());
    }

    /** What {@link #drainChanges} or {@link #all} captured. */
    record SessionChanges(List<SessionImage> written, List<String> forgotten, IdempotencyKeys.Changes keys) {

        /** These changes followed by {@code newer}, as one: the newer's image of a session wins. */
        SessionChanges followedBy(SessionChanges newer) {
            Set<String> superseded = new HashSet<>(newer.forgotten);
            newer.written.forEach(image -> superseded.add(image.clientId()));
            List<SessionImage> mergedWritten = new ArrayList<>(written.size() + newer.written.size());
            for (SessionImage image : written) {
                if (!superseded.contains(image.clientId())) {
                    mergedWritten.add(image);
                }
            }
            mergedWritten.addAll(newer.written);
            Set<String> mergedForgotten = new LinkedHashSet<>(forgotten);
            mergedForgotten.addAll(newer.forgotten);
            return new SessionChanges(mergedWritten, List.copyOf(mergedForgotten), keys.followedBy(newer.keys));
        }
    }

    /** The sessions and keys of a checkpoint; sessions in any order, keys oldest first. */
    static ClientSessions restore(
            List<SessionImage> images, List<IdempotencyAnswer> keysInOrder, long evictedIdempotencyKeys) {
        ClientSessions restored = new ClientSessions(IdempotencyKeys.restore(keysInOrder, evictedIdempotencyKeys));
        List<SessionImage> leastRecentFirst = new ArrayList<>(images);
        leastRecentFirst.sort(Comparator.comparingLong(SessionImage::touchOrder));
        for (SessionImage image : leastRecentFirst) {
            Session session =
                    new Session(SESSION_OVERHEAD_BYTES + image.clientId().getBytes(StandardCharsets.UTF_8).length);
            session.lastActiveMillis = image.lastActiveMillis();
            session.firstRetained = image.firstRetained();
            session.touchOrder = image.touchOrder();
            for (SessionImage.Answer answer : image.answers()) {
                session.add(answer.sequence(), new Answer(answer.fingerprint(), answer.result()));
            }
            restored.sessions.put(image.clientId(), session);
            restored.sessionBytes += session.bytes;
            restored.touchClock = Math.max(restored.touchClock, image.touchOrder());
        }
        return restored;
    }

    private static final class Session {
        private long lastActiveMillis;
        private long firstRetained = 1;
        private long touchOrder;
        private boolean forgotten;
        // Bytes of this session and its answers.
        private long bytes;
        private final TreeMap<Long, Answer> answers = new TreeMap<>();

        private Session(int ownBytes) {
            this.bytes = ownBytes;
        }

        private SessionImage toImage(String clientId) {
            List<SessionImage.Answer> copies = new ArrayList<>(answers.size());
            answers.forEach((sequence, answer) ->
                    copies.add(new SessionImage.Answer(sequence, answer.fingerprint, answer.result)));
            return new SessionImage(clientId, lastActiveMillis, firstRetained, touchOrder, copies);
        }

        /** @return the bytes added */
        private long add(long sequence, Answer answer) {
            Answer replaced = answers.put(sequence, answer);
            long added = answer.bytes() - (replaced == null ? 0 : replaced.bytes());
            bytes += added;
            return added;
        }

        /** @return the bytes freed */
        private long discardOldest() {
            Map.Entry<Long, Answer> oldest = answers.pollFirstEntry();
            firstRetained = Math.max(firstRetained, oldest.getKey() + 1);
            bytes -= oldest.getValue().bytes();
            return oldest.getValue().bytes();
        }

        /** @return the bytes freed */
        private long forgetBelow(long firstUnacknowledged) {
            if (firstUnacknowledged <= firstRetained) {
                return 0;
            }
            firstRetained = firstUnacknowledged;
            long freed = 0;
            Map<Long, Answer> acknowledged = answers.headMap(firstUnacknowledged);
            for (Answer answer : acknowledged.values()) {
                freed += answer.bytes();
            }
            acknowledged.clear();
            bytes -= freed;
            return freed;
        }
    }

    private record Answer(long fingerprint, byte[] result) {
        long bytes() {
            return ANSWER_OVERHEAD_BYTES + result.length;
        }
    }

    /** Writes every session and key, for a snapshot. */
    void writeTo(BinaryWriter writer) {
        writer.writeInt(sessions.size());
        for (Map.Entry<String, Session> entry : sessions.entrySet()) {
            Session session = entry.getValue();
            writer.writeString(entry.getKey())
                    .writeLong(session.lastActiveMillis)
                    .writeLong(session.firstRetained)
                    .writeInt(session.answers.size());
            for (Map.Entry<Long, Answer> answer : session.answers.entrySet()) {
                writer.writeLong(answer.getKey())
                        .writeLong(answer.getValue().fingerprint)
                        .writeBytes(answer.getValue().result);
            }
        }
        idempotencyKeys.writeTo(writer);
    }

    /** Sessions and keys as {@link #writeTo} wrote them, for restoring a snapshot. */
    static ClientSessions readFrom(BinaryReader reader) {
        LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();
        int sessionCount = reader.readInt("session count");
        for (int i = 0; i < sessionCount; i++) {
            String clientId = reader.readString("session client id");
            Session session = new Session(SESSION_OVERHEAD_BYTES + clientId.getBytes(StandardCharsets.UTF_8).length);
            session.lastActiveMillis = reader.readLong("session last active time");
            session.firstRetained = reader.readLong("session first retained sequence");
            int answerCount = reader.readInt("session answer count");
            for (int j = 0; j < answerCount; j++) {
                session.add(
                        reader.readLong("session answer sequence"),
                        new Answer(reader.readLong("answer fingerprint"), reader.readBytes("answer")));
            }
            session.touchOrder = i + 1;
            sessions.put(clientId, session);
        }
        ClientSessions restored = new ClientSessions(IdempotencyKeys.readFrom(reader));
        // Inserted in the snapshot's order, which was least recently used first.
        for (Map.Entry<String, Session> entry : sessions.entrySet()) {
            restored.sessions.put(entry.getKey(), entry.getValue());
            restored.sessionBytes += entry.getValue().bytes;
        }
        restored.touchClock = sessionCount;
        return restored;
    }
}
