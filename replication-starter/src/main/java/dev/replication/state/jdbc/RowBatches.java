package dev.replication.state.jdbc;

import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointSink;
import dev.replication.state.IdempotencyAnswer;
import dev.replication.state.SessionImage;
import dev.replication.state.StoredEntry;
import dev.replication.state.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A sink that writes the records it is given into a database's rows, {@value CheckpointRows#BATCH}
 * at a time, numbering idempotency answers from 1 in the order given. Each batch runs through
 * {@code eachBatch}; the fresh-file fill gives each batch a transaction of its own (the file is not
 * current until it is complete, so nothing needs to roll back, and H2 need not keep every page of
 * one huge transaction: 408 MB instead of 171 MB for 1,000,000 keys).
 */
final class RowBatches implements CheckpointSink {

    private final CheckpointRows rows;
    private final Consumer<Runnable> eachBatch;
    private @Nullable CheckpointHeader header;
    private @Nullable String map;
    private final List<StoredEntry> values = new ArrayList<>();
    private final List<SessionImage> sessions = new ArrayList<>();
    private final List<IdempotencyAnswer> answers = new ArrayList<>();
    private long nextOrder = 1;
    private long rowsWritten;

    RowBatches(CheckpointRows rows, Consumer<Runnable> eachBatch) {
        this.rows = rows;
        this.eachBatch = eachBatch;
    }

    @Override
    public void header(CheckpointHeader given) {
        header = given;
    }

    @Override
    public void value(String name, byte[] key, StoredValue value) {
        if (!name.equals(map) || values.size() >= CheckpointRows.BATCH) {
            flushValues();
            map = name;
        }
        values.add(new StoredEntry(key, value));
    }

    @Override
    public void session(SessionImage session) {
        sessions.add(session);
        if (sessions.size() >= CheckpointRows.BATCH) {
            flushSessions();
        }
    }

    @Override
    public void idempotencyAnswer(IdempotencyAnswer answer) {
        answers.add(answer);
        if (answers.size() >= CheckpointRows.BATCH) {
            flushAnswers();
        }
    }

    /** Writes what is still buffered; returns the header given. */
    CheckpointHeader finish() {
        flushValues();
        flushSessions();
        flushAnswers();
        return Objects.requireNonNull(header, "a checkpoint always has a header");
    }

    /** The order the next idempotency answer would get. */
    long nextOrder() {
        return nextOrder;
    }

    long rowsWritten() {
        return rowsWritten;
    }

    private void flushValues() {
        String name = map;
        if (name != null && !values.isEmpty()) {
            eachBatch.accept(() -> rowsWritten += rows.writeValues(name, values));
        }
        values.clear();
    }

    private void flushSessions() {
        if (!sessions.isEmpty()) {
            eachBatch.accept(() -> rowsWritten += rows.writeSessions(sessions));
        }
        sessions.clear();
    }

    private void flushAnswers() {
        if (!answers.isEmpty()) {
            long first = nextOrder;
            eachBatch.accept(() -> rowsWritten += rows.writeAnswers(answers, first));
            nextOrder += answers.size();
        }
        answers.clear();
    }
}
