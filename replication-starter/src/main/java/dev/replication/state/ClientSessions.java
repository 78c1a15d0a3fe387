package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Idempotent Receiver: remembers the answers the state machine gave, so a retried proposal is
 * answered from here instead of being applied twice. Part of the replicated state: every replica
 * holds the same sessions because it applies the same entries with the same log times.
 *
 * <p>Two kinds of memory:
 * <ul>
 *   <li>client sessions, keyed by (client id, sequence): the answers a client may still ask for
 *       again, from its {@code firstUnacknowledged} sequence up (at most
 *       {@value #MAX_ANSWERS_PER_CLIENT} per client; the oldest are forgotten first). A session
 *       unused for the retention is forgotten.</li>
 *   <li>idempotency keys chosen by the application: the first answer for each key, kept for the
 *       retention after it was first applied.</li>
 * </ul>
 * Each remembered request carries the fingerprint of its body: the same sequence or key with a
 * different body is refused, never applied.
 *
 * <p>Time is log time: the physical part of the leader's stamp on the entry being applied, never
 * a local clock, so every replica forgets the same keys at the same entry. The retention must
 * therefore be configured identically on every node, and longer than any client's retry window:
 * a retry arriving after its key was forgotten is applied as a new request.
 *
 * <p>Not thread-safe: only {@link KeyValueStateMachine} touches it, under its lock.
 */
final class ClientSessions {

    /** Answers kept per client session at most, even if the client never acknowledges them. */
    public static final int MAX_ANSWERS_PER_CLIENT = 1024;

    private final long retentionMillis;
    // Access order: the least recently used session comes first, ready to expire.
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    // Insertion order = order of first use = order of expiry.
    private final LinkedHashMap<String, Answer> idempotencyKeys = new LinkedHashMap<>();

    ClientSessions(Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("idempotency retention must be positive, was " + retention);
        }
        this.retentionMillis = retention.toMillis();
    }

    /** How many client sessions are remembered. */
    int sessionCount() {
        return sessions.size();
    }

    /** How many idempotency keys are remembered. */
    int idempotencyKeyCount() {
        return idempotencyKeys.size();
    }

    /** Forgets sessions idle for longer than the retention and keys first used before it. */
    void expire(long nowMillis) {
        long horizon = nowMillis - retentionMillis;
        Iterator<Session> idle = sessions.values().iterator();
        while (idle.hasNext()) {
            if (idle.next().lastActiveMillis >= horizon) {
                break;
            }
            idle.remove();
        }
        Iterator<Answer> old = idempotencyKeys.values().iterator();
        while (old.hasNext()) {
            if (old.next().appliedAtMillis >= horizon) {
                break;
            }
            old.remove();
        }
    }

    /**
     * The answer for {@code envelope} if its request was seen before (the cached result, or a
     * refusal when its sequence or key was used for a different request), or null when it is new
     * and must be applied and then {@link #remember remembered}.
     */
    byte @Nullable [] answerIfSeen(CommandEnvelope envelope, long nowMillis) {
        if (envelope.hasClientSession()) {
            Session session = sessions.get(envelope.clientId());
            if (session != null) {
                session.lastActiveMillis = nowMillis;
                session.forgetBelow(envelope.firstUnacknowledged());
                if (envelope.sequence() < session.firstRetained) {
                    return StateResult.refused(StateResult.Status.ANSWER_DISCARDED, null,
                            "the answer to request " + envelope.sequence() + " of client " + envelope.clientId()
                                    + " was discarded after the client acknowledged it").encode();
                }
                Answer earlier = session.answers.get(envelope.sequence());
                if (earlier != null) {
                    if (earlier.fingerprint == envelope.fingerprint()) {
                        return earlier.result;
                    }
                    return StateResult.refused(StateResult.Status.SEQUENCE_REUSED, null,
                            "client " + envelope.clientId() + " reused sequence " + envelope.sequence()
                                    + " for a different request").encode();
                }
            }
        }
        if (envelope.hasIdempotencyKey()) {
            Answer earlier = idempotencyKeys.get(envelope.idempotencyKey());
            if (earlier != null) {
                byte[] answer = earlier.fingerprint == envelope.fingerprint() ? earlier.result
                        : StateResult.refused(StateResult.Status.IDEMPOTENCY_KEY_CONFLICT, null,
                                "idempotency key '" + envelope.idempotencyKey()
                                        + "' was already used for a different request").encode();
                // The session answers a retry of this very proposal the same way.
                rememberInSession(envelope, answer, nowMillis);
                return answer;
            }
        }
        return null;
    }

    /** Remembers the result of applying a new request. */
    void remember(CommandEnvelope envelope, byte[] result, long nowMillis) {
        rememberInSession(envelope, result, nowMillis);
        if (envelope.hasIdempotencyKey()) {
            idempotencyKeys.put(envelope.idempotencyKey(), new Answer(envelope.fingerprint(), result, nowMillis));
        }
    }

    private void rememberInSession(CommandEnvelope envelope, byte[] result, long nowMillis) {
        if (!envelope.hasClientSession()) {
            return;
        }
        Session session = sessions.computeIfAbsent(envelope.clientId(), id -> new Session());
        session.lastActiveMillis = nowMillis;
        session.forgetBelow(envelope.firstUnacknowledged());
        session.answers.put(envelope.sequence(), new Answer(envelope.fingerprint(), result, nowMillis));
        while (session.answers.size() > MAX_ANSWERS_PER_CLIENT) {
            session.firstRetained = session.answers.pollFirstEntry().getKey() + 1;
        }
    }

    private static final class Session {
        private long lastActiveMillis;
        private long firstRetained = 1;
        private final TreeMap<Long, Answer> answers = new TreeMap<>();

        private void forgetBelow(long firstUnacknowledged) {
            if (firstUnacknowledged > firstRetained) {
                firstRetained = firstUnacknowledged;
                answers.headMap(firstUnacknowledged).clear();
            }
        }
    }

    private record Answer(long fingerprint, byte[] result, long appliedAtMillis) {
    }

    /** Writes every session and key, for a snapshot. */
    void writeTo(BinaryWriter writer) {
        writer.writeInt(sessions.size());
        for (Map.Entry<String, Session> entry : sessions.entrySet()) {
            Session session = entry.getValue();
            writer.writeString(entry.getKey()).writeLong(session.lastActiveMillis).writeLong(session.firstRetained)
                    .writeInt(session.answers.size());
            for (Map.Entry<Long, Answer> answer : session.answers.entrySet()) {
                writer.writeLong(answer.getKey());
                writeAnswer(writer, answer.getValue());
            }
        }
        writer.writeInt(idempotencyKeys.size());
        for (Map.Entry<String, Answer> entry : idempotencyKeys.entrySet()) {
            writer.writeString(entry.getKey());
            writeAnswer(writer, entry.getValue());
        }
    }

    /** Sessions and keys as {@link #writeTo} wrote them, for restoring a snapshot. */
    static ClientSessions readFrom(BinaryReader reader, Duration retention) {
        ClientSessions restored = new ClientSessions(retention);
        int sessionCount = reader.readInt("session count");
        for (int i = 0; i < sessionCount; i++) {
            String clientId = reader.readString("session client id");
            Session session = new Session();
            session.lastActiveMillis = reader.readLong("session last active time");
            session.firstRetained = reader.readLong("session first retained sequence");
            int answerCount = reader.readInt("session answer count");
            for (int j = 0; j < answerCount; j++) {
                session.answers.put(reader.readLong("session answer sequence"), readAnswer(reader));
            }
            restored.sessions.put(clientId, session);
        }
        int keyCount = reader.readInt("idempotency key count");
        for (int i = 0; i < keyCount; i++) {
            restored.idempotencyKeys.put(reader.readString("idempotency key"), readAnswer(reader));
        }
        return restored;
    }

    private static void writeAnswer(BinaryWriter writer, Answer answer) {
        writer.writeLong(answer.fingerprint).writeBytes(answer.result).writeLong(answer.appliedAtMillis);
    }

    private static Answer readAnswer(BinaryReader reader) {
        return new Answer(reader.readLong("answer fingerprint"), reader.readBytes("answer"),
                reader.readLong("answer time"));
    }
}
