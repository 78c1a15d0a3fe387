package dev.replication.state.jdbc;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import dev.replication.state.CheckpointSink;
import dev.replication.state.IdempotencyAnswer;
import dev.replication.state.SessionImage;
import dev.replication.state.StoredEntry;
import dev.replication.state.StoredValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;

/**
 * The bulk rows of a checkpoint: keys, client sessions, idempotency answers. Written with
 * {@link NamedParameterJdbcTemplate#batchUpdate} in batches of {@value #BATCH} rows, not as Spring
 * Data JDBC aggregates: a delta touches up to millions of rows, and an aggregate per row would be
 * one statement per row plus a lookup to choose between insert and update; an H2 {@code MERGE}
 * batch is neither. Read back by streaming every row into a {@link CheckpointSink}.
 *
 * <p>Every method runs inside the caller's transaction. Counts are the database's own update
 * counts.
 */
final class CheckpointRows {

    static final int BATCH = 5_000;

    private static final String REMEDY = "the checkpoint database is corrupt or was written by another release:"
            + " move it away so the node rebuilds its state from the log or a peer's snapshot";

    private final NamedParameterJdbcTemplate jdbc;

    CheckpointRows(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    long writeValues(String map, List<StoredEntry> entries) {
        // In key order, so that consecutive rows land on the same B-tree pages of the database.
        List<StoredEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        return batch(
                "MERGE INTO MAP_ENTRY (MAP_NAME, ENTRY_KEY, ENTRY_VALUE, VERSION, STAMP) KEY (MAP_NAME, ENTRY_KEY)"
                        + " VALUES (:map, :key, :value, :version, :stamp)",
                sorted,
                entry -> new MapSqlParameterSource()
                        .addValue("map", map)
                        .addValue("key", entry.key())
                        .addValue("value", entry.value().value())
                        .addValue("version", entry.value().version())
                        .addValue("stamp", entry.value().timestamp()));
    }

    long deleteValues(String map, List<byte[]> keys) {
        return batch(
                "DELETE FROM MAP_ENTRY WHERE MAP_NAME = :map AND ENTRY_KEY = :key",
                keys,
                key -> new MapSqlParameterSource().addValue("map", map).addValue("key", key));
    }

    long writeSessions(List<SessionImage> sessions) {
        return batch(
                "MERGE INTO CLIENT_SESSION (CLIENT_ID, LAST_ACTIVE_MILLIS, FIRST_RETAINED, TOUCH_ORDER, ANSWERS)"
                        + " KEY (CLIENT_ID) VALUES (:client, :active, :retained, :touch, :answers)",
                sessions,
                session -> new MapSqlParameterSource()
                        .addValue("client", session.clientId())
                        .addValue("active", session.lastActiveMillis())
                        .addValue("retained", session.firstRetained())
                        .addValue("touch", session.touchOrder())
                        .addValue("answers", encodeAnswers(session.answers())));
    }

    long deleteSessions(List<String> clientIds) {
        return batch(
                "DELETE FROM CLIENT_SESSION WHERE CLIENT_ID = :client",
                clientIds,
                client -> new MapSqlParameterSource().addValue("client", client));
    }

    /**
     * @param firstOrder the order of the first answer; the others follow in list order
     */
    long writeAnswers(List<IdempotencyAnswer> answers, long firstOrder) {
        long[] order = {firstOrder};
        return batch(
                "MERGE INTO IDEMPOTENCY_ANSWER (DIGEST_HIGH, DIGEST_LOW, FINGERPRINT, STATUS, VERSION, STAMP,"
                        + " BEFORE_VERSION, APPLIED_AT_MILLIS, ANSWER_ORDER) KEY (DIGEST_HIGH, DIGEST_LOW)"
                        + " VALUES (:high, :low, :fingerprint, :status, :version, :stamp, :before, :at, :order)",
                answers,
                answer -> new MapSqlParameterSource()
                        .addValue("high", answer.digest().high())
                        .addValue("low", answer.digest().low())
                        .addValue("fingerprint", answer.fingerprint())
                        .addValue("status", answer.status())
                        .addValue("version", answer.version())
                        .addValue("stamp", answer.timestamp())
                        .addValue("before", answer.beforeVersion())
                        .addValue("at", answer.appliedAtMillis())
                        .addValue("order", order[0]++));
    }

    long deleteAnswers(List<IdempotencyAnswer.Digest> digests) {
        return batch(
                "DELETE FROM IDEMPOTENCY_ANSWER WHERE DIGEST_HIGH = :high AND DIGEST_LOW = :low",
                digests,
                digest -> new MapSqlParameterSource()
                        .addValue("high", digest.high())
                        .addValue("low", digest.low()));
    }

    /** Streams every key, session and idempotency answer (these oldest first) into {@code sink}. */
    void readInto(CheckpointSink sink) {
        jdbc.getJdbcTemplate()
                .query(
                        "SELECT MAP_NAME, ENTRY_KEY, ENTRY_VALUE, VERSION, STAMP FROM MAP_ENTRY"
                                + " ORDER BY MAP_NAME, ENTRY_KEY",
                        row -> {
                            sink.value(
                                    row.getString(1),
                                    row.getBytes(2),
                                    new StoredValue(row.getBytes(3), row.getLong(4), row.getLong(5)));
                        });
        jdbc.getJdbcTemplate()
                .query(
                        "SELECT CLIENT_ID, LAST_ACTIVE_MILLIS, FIRST_RETAINED, TOUCH_ORDER, ANSWERS FROM CLIENT_SESSION",
                        row -> {
                            sink.session(new SessionImage(
                                    row.getString(1),
                                    row.getLong(2),
                                    row.getLong(3),
                                    row.getLong(4),
                                    decodeAnswers(row.getBytes(5))));
                        });
        jdbc.getJdbcTemplate()
                .query(
                        "SELECT DIGEST_HIGH, DIGEST_LOW, FINGERPRINT, STATUS, VERSION, STAMP, BEFORE_VERSION,"
                                + " APPLIED_AT_MILLIS FROM IDEMPOTENCY_ANSWER ORDER BY ANSWER_ORDER",
                        row -> {
                            sink.idempotencyAnswer(new IdempotencyAnswer(
                                    new IdempotencyAnswer.Digest(row.getLong(1), row.getLong(2)),
                                    row.getLong(3),
                                    row.getInt(4),
                                    row.getLong(5),
                                    row.getLong(6),
                                    row.getLong(7),
                                    row.getLong(8)));
                        });
    }

    static byte[] encodeAnswers(List<SessionImage.Answer> answers) {
        int size = 4;
        for (SessionImage.Answer answer : answers) {
            size += 20 + answer.result().length;
        }
        BinaryWriter writer = new BinaryWriter(size).writeInt(answers.size());
        for (SessionImage.Answer answer : answers) {
            writer.writeLong(answer.sequence()).writeLong(answer.fingerprint()).writeBytes(answer.result());
        }
        return writer.toByteArray();
    }

    static List<SessionImage.Answer> decodeAnswers(byte[] encoded) {
        BinaryReader reader = new BinaryReader(encoded, "client session answers", REMEDY);
        int count = reader.readInt("answer count");
        List<SessionImage.Answer> answers = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            answers.add(new SessionImage.Answer(
                    reader.readLong("answer sequence"),
                    reader.readLong("answer fingerprint"),
                    reader.readBytes("answer")));
        }
        reader.requireEnd();
        return answers;
    }

    private <T> long batch(String sql, List<T> items, Function<T, SqlParameterSource> parameters) {
        long changed = 0;
        for (int from = 0; from < items.size(); from += BATCH) {
            List<T> chunk = items.subList(from, Math.min(items.size(), from + BATCH));
            SqlParameterSource[] batch = new SqlParameterSource[chunk.size()];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = parameters.apply(chunk.get(i));
            }
            for (int count : jdbc.batchUpdate(sql, batch)) {
                changed += Math.max(count, 0);
            }
        }
        return changed;
    }
}
