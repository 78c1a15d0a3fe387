package dev.replication.state;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CheckpointDelta} laid over a stream of the checkpoint it follows: fed the previous
 * checkpoint's records, it hands its target the records of the checkpoint the delta leads to.
 * The target gets the delta's header at once; of the previous records, those the delta overwrites
 * or deletes are dropped (all of them when the delta {@linkplain CheckpointDelta#replacesAll
 * replaces all}); {@link #finish} then adds the delta's keys (each map in key order), sessions and
 * idempotency answers (after every older one, as the machine orders them).
 *
 * <p>For a store that writes a checkpoint as a fresh copy instead of changing the old one in
 * place. The previous checkpoint's header is ignored: the caller checks that the delta follows it.
 */
public final class CheckpointOverlay implements CheckpointSink {

    private final CheckpointDelta delta;
    private final CheckpointSink target;
    private final Map<String, MapChanges> maps = new HashMap<>();
    private final Set<String> sessionsTouched = new HashSet<>();
    private final Set<IdempotencyAnswer.Digest> answersTouched = new HashSet<>();

    /** Hands {@code target} the delta's header now. */
    public CheckpointOverlay(CheckpointDelta delta, CheckpointSink target) {
        this.delta = delta;
        this.target = target;
        delta.maps().forEach(changes -> maps.put(changes.map(), changes));
        sessionsTouched.addAll(delta.sessionsForgotten());
        delta.sessionsWritten().forEach(session -> sessionsTouched.add(session.clientId()));
        answersTouched.addAll(delta.idempotencyAnswersForgotten());
        delta.idempotencyAnswersAdded().forEach(answer -> answersTouched.add(answer.digest()));
        target.header(delta.header());
    }

    @Override
    public void header(CheckpointHeader previous) {
        // The delta's header replaces it; handed over by the constructor.
    }

    @Override
    public void value(String map, byte[] key, StoredValue value) {
        MapChanges changes = maps.get(map);
        if (!delta.replacesAll() && (changes == null || !changes.touches(new ByteKey(key)))) {
            target.value(map, key, value);
        }
    }

    @Override
    public void session(SessionImage session) {
        if (!delta.replacesAll() && !sessionsTouched.contains(session.clientId())) {
            target.session(session);
        }
    }

    @Override
    public void idempotencyAnswer(IdempotencyAnswer answer) {
        if (!delta.replacesAll() && !answersTouched.contains(answer.digest())) {
            target.idempotencyAnswer(answer);
        }
    }

    /** Adds what the delta writes; call once, after the previous checkpoint's last record. */
    public void finish() {
        for (MapChanges changes : delta.maps()) {
            List<StoredEntry> written = changes.writtenInKeyOrder();
            for (StoredEntry entry : written) {
                target.value(changes.map(), entry.key(), entry.value());
            }
        }
        delta.sessionsWritten().forEach(target::session);
        delta.idempotencyAnswersAdded().forEach(target::idempotencyAnswer);
    }
}
