package dev.replication.state;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The simplest store of deltas, in memory, applying each the way {@link CheckpointDelta} says a
 * store must: what the H2 store does, without the database, to test the capture on its own.
 */
final class CheckpointAccumulator {

    private @Nullable CheckpointHeader header;
    private final Map<String, TreeMap<ByteKey, StoredValue>> maps = new HashMap<>();
    private final Map<String, SessionImage> sessions = new HashMap<>();
    private final LinkedHashMap<IdempotencyAnswer.Digest, IdempotencyAnswer> answers = new LinkedHashMap<>();

    void apply(CheckpointDelta delta) {
        if (delta.replacesAll()) {
            maps.clear();
            sessions.clear();
            answers.clear();
        }
        for (MapChanges changes : delta.maps()) {
            TreeMap<ByteKey, StoredValue> map = maps.computeIfAbsent(changes.map(), name -> new TreeMap<>());
            changes.deleted().forEach(key -> map.remove(new ByteKey(key)));
            changes.written().forEach(entry -> map.put(new ByteKey(entry.key()), entry.value()));
        }
        delta.sessionsForgotten().forEach(sessions::remove);
        delta.sessionsWritten().forEach(session -> sessions.put(session.clientId(), session));
        delta.idempotencyAnswersForgotten().forEach(answers::remove);
        delta.idempotencyAnswersAdded().forEach(answer -> answers.put(answer.digest(), answer));
        header = delta.header();
    }

    CheckpointContents contents() {
        CheckpointContents contents = new CheckpointContents();
        if (header == null) {
            throw new IllegalStateException("no delta was applied");
        }
        contents.header(header);
        maps.forEach((name, map) -> map.forEach((key, value) -> contents.value(name, key.bytes(), value)));
        sessions.values().forEach(contents::session);
        answers.values().forEach(contents::idempotencyAnswer);
        return contents;
    }
}
