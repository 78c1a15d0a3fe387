package dev.replication.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A whole checkpoint gathered from a {@link CheckpointStore}, ready for {@link
 * KeyValueStateMachine#restore(CheckpointContents)}. Fill it through the {@link CheckpointSink}
 * methods; it is single-use and not thread-safe.
 */
public final class CheckpointContents implements CheckpointSink {

    private @Nullable CheckpointHeader header;
    private final Map<String, NavigableMap<ByteKey, StoredValue>> maps = new HashMap<>();
    private final List<SessionImage> sessions = new ArrayList<>();
    private final List<IdempotencyAnswer> idempotencyAnswers = new ArrayList<>();

    @Override
    public void header(CheckpointHeader checkpointHeader) {
        if (header != null) {
            throw new IllegalStateException("a checkpoint has one header, this one got a second");
        }
        header = checkpointHeader;
    }

    @Override
    public void value(String map, byte[] key, StoredValue value) {
        maps.computeIfAbsent(map, name -> new TreeMap<>()).put(new ByteKey(key), value);
    }

    @Override
    public void session(SessionImage session) {
        sessions.add(session);
    }

    @Override
    public void idempotencyAnswer(IdempotencyAnswer answer) {
        idempotencyAnswers.add(answer);
    }

    /** @throws IllegalStateException when no header was given */
    public CheckpointHeader header() {
        if (header == null) {
            throw new IllegalStateException("the checkpoint contents have no header: nothing was loaded");
        }
        return header;
    }

    Map<String, NavigableMap<ByteKey, StoredValue>> maps() {
        return maps;
    }

    List<SessionImage> sessions() {
        return sessions;
    }

    List<IdempotencyAnswer> idempotencyAnswers() {
        return idempotencyAnswers;
    }
}
