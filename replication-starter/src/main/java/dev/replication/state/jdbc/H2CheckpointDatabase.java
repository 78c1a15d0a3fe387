package dev.replication.state.jdbc;

import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointNotWrittenException;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointSink;
import dev.replication.state.CheckpointStoreException;
import dev.replication.state.IdempotencyAnswer;
import dev.replication.state.MapChanges;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.core.convert.DataAccessStrategy;
import org.springframework.data.jdbc.core.convert.DataAccessStrategyFactory;
import org.springframework.data.jdbc.core.convert.MappingJdbcConverter;
import org.springframework.data.jdbc.core.convert.QueryMappingConfiguration;
import org.springframework.data.jdbc.core.convert.RelationResolver;
import org.springframework.data.jdbc.core.dialect.JdbcH2Dialect;
import org.springframework.data.jdbc.core.mapping.JdbcMappingContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One checkpoint database: an embedded H2 file, {@code <directory>/<name>.mv.db}. {@link
 * H2CheckpointStore} decides which file is current and when to rewrite it into a fresh one.
 *
 * <p>Private to the starter: it opens its own single connection (an H2 database stays open while
 * a connection does; {@code DB_CLOSE_ON_EXIT=FALSE}, the runtime closes it), builds its own
 * transaction template and Spring Data JDBC template by hand, and registers nothing anywhere. The
 * database is in file mode without {@code AUTO_SERVER}, and H2 locks the file, so a second process
 * cannot open it.
 *
 * <p>A checkpoint is one transaction: the header row through the {@link JdbcAggregateTemplate}
 * ({@link CheckpointRecord}), the bulk rows through batched statements ({@link CheckpointRows}).
 * After the commit, {@code CHECKPOINT SYNC} writes and fsyncs the database file, and the applied
 * index is read back before {@link #write} returns. H2 keeps the previous committed version of
 * every page until the next one is durable, so a crash at any point leaves the previous checkpoint.
 *
 * <p>One operation at a time (the methods are synchronized): an export therefore reads one
 * consistent checkpoint, and a checkpoint written meanwhile waits.
 */
final class H2CheckpointDatabase implements AutoCloseable {

    private final Path file;
    private final SingleConnectionDataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final JdbcAggregateTemplate aggregates;
    private final CheckpointRows rows;
    private boolean closed;

    /**
     * Opens (or creates) the checkpoint database {@code name} in {@code directory}, creating the
     * directory and the schema when they do not exist.
     *
     * @throws CheckpointStoreException when the database cannot be opened (for example another
     *     process holds it) or has an unknown schema version
     */
    H2CheckpointDatabase(Path directory, String name) {
        Objects.requireNonNull(directory, "directory");
        this.file = directory.resolve(name + ".mv.db");
        try {
            Files.createDirectories(directory);
            this.dataSource = new SingleConnectionDataSource(jdbcUrl(directory, name), "sa", "", true);
            this.jdbc = new JdbcTemplate(dataSource);
            if (CheckpointSchema.createOrVerify(jdbc, file)) {
                jdbc.execute("CHECKPOINT SYNC");
                syncDirectory(directory);
            }
        } catch (DataAccessException | IOException e) {
            throw new CheckpointStoreException(
                    "cannot open the checkpoint database " + file + ": " + e.getMessage()
                            + " (is another process of this node running on the same data directory?)",
                    e);
        }
        NamedParameterJdbcTemplate named = new NamedParameterJdbcTemplate(jdbc);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.aggregates = aggregateTemplate(named);
        this.rows = new CheckpointRows(named);
    }

    /**
     * File mode, the file locked, no automatic server, closed by {@link #close} only; results
     * streamed (lazy) rather than buffered, and a 16 MiB page cache. The cache lives in the
     * application's heap: with 64 MiB (tried first) the nodes of a 3-node cluster of the sample at
     * -Xmx256m paused 1.1-1.6 s in garbage collection while checkpointing, and the larger cache had
     * sped an incremental checkpoint up only a little. No compaction when the database closes
     * ({@code MAX_COMPACT_TIME=0}): H2's default 200 ms of it moved chunks to the end and grew a
     * 1.5 MB file to 2.3 MB; the store compacts fresh files fully instead ({@link #createFilled}).
     */
    static String jdbcUrl(Path directory, String name) {
        return "jdbc:h2:file:" + directory.resolve(name).toAbsolutePath()
                + ";AUTO_SERVER=FALSE;FILE_LOCK=FILE;DB_CLOSE_ON_EXIT=FALSE;LAZY_QUERY_EXECUTION=TRUE"
                + ";CACHE_SIZE=16384;MAX_COMPACT_TIME=0";
    }

    private static JdbcAggregateTemplate aggregateTemplate(NamedParameterJdbcTemplate named) {
        JdbcMappingContext context = new JdbcMappingContext();
        // The converter resolves relations through the strategy, which needs the converter first.
        List<DataAccessStrategy> late = new ArrayList<>(1);
        RelationResolver relations = (identifier, path) -> late.get(0).findAllByPath(identifier, path);
        MappingJdbcConverter converter = new MappingJdbcConverter(context, relations);
        DataAccessStrategy strategy = new DataAccessStrategyFactory(
                        converter, named, JdbcH2Dialect.INSTANCE, QueryMappingConfiguration.EMPTY)
                .create();
        late.add(strategy);
        return new JdbcAggregateTemplate(converter, strategy);
    }

    public synchronized Optional<CheckpointHeader> loadLatest(CheckpointSink sink) {
        requireOpen();
        Optional<CheckpointHeader> loaded = transactions.execute(status -> {
            CheckpointRecord record = aggregates.findById(CheckpointRecord.ID, CheckpointRecord.class);
            if (record == null) {
                return Optional.empty();
            }
            sink.header(record.header());
            rows.readInto(sink);
            return Optional.of(record.header());
        });
        return Objects.requireNonNull(loaded);
    }

    public synchronized CheckpointReceipt write(CheckpointDelta delta) {
        requireOpen();
        if (delta.replacesAll()) {
            throw new IllegalArgumentException(
                    "a whole state is written into a fresh database (createFilled), never in place: " + delta);
        }
        CheckpointHeader header = delta.header();
        long[] counts = new long[2];
        try {
            transactions.executeWithoutResult(status -> {
                CheckpointRecord stored = aggregates.findById(CheckpointRecord.ID, CheckpointRecord.class);
                refuseOutOfOrder(delta, stored == null ? null : stored.header());
                long nextOrder = stored == null ? 1 : stored.nextAnswerOrder();
                for (MapChanges map : delta.maps()) {
                    counts[1] += rows.deleteValues(map.map(), map.deleted());
                    counts[0] += rows.writeValues(map.map(), map.written());
                }
                counts[1] += rows.deleteSessions(delta.sessionsForgotten());
                counts[0] += rows.writeSessions(delta.sessionsWritten());
                counts[1] += rows.deleteAnswers(delta.idempotencyAnswersForgotten());
                List<IdempotencyAnswer> added = delta.idempotencyAnswersAdded();
                counts[0] += rows.writeAnswers(added, nextOrder);
                writeRecord(CheckpointRecord.of(header, nextOrder + added.size()), stored != null);
                counts[0]++;
            });
        } catch (DataAccessException e) {
            throw new CheckpointNotWrittenException(
                    "the checkpoint at " + header.appliedIndex() + " was not written (the previous one stays): "
                            + e.getMessage(),
                    e);
        }
        makeDurable(header.appliedIndex());
        return new CheckpointReceipt(header.appliedIndex(), header.appliedGeneration(), counts[0], counts[1]);
    }

    /** Refuses a delta that does not follow {@code stored}, the checkpoint held (null: none). */
    static void refuseOutOfOrder(CheckpointDelta delta, @Nullable CheckpointHeader stored) {
        long index = delta.header().appliedIndex();
        if (stored != null && index <= stored.appliedIndex()) {
            throw new CheckpointStoreException("the checkpoint at " + index + " is refused: the store already holds"
                    + " the one at " + stored.appliedIndex() + ", and a checkpoint never goes back");
        }
        if (!delta.replacesAll()) {
            long held = stored == null ? 0 : stored.appliedIndex();
            if (delta.baseIndex() != held) {
                throw new CheckpointStoreException("the changes since " + delta.baseIndex() + " are refused: the"
                        + " store holds the checkpoint at " + held + ", so changes in between would be missing"
                        + " (a checkpoint write was lost); write a whole capture (captureAll) instead");
            }
        }
    }

    private void writeRecord(CheckpointRecord record, boolean exists) {
        if (exists) {
            aggregates.update(record);
        } else {
            aggregates.insert(record);
        }
    }

    /** H2's commit is durable only once written and synced; then read back what was committed. */
    private void makeDurable(long appliedIndex) {
        try {
            jdbc.execute("CHECKPOINT SYNC");
            Long readBack = jdbc.queryForObject(
                    "SELECT APPLIED_INDEX FROM CHECKPOINT_HEADER WHERE ID = ?", Long.class, CheckpointRecord.ID);
            if (readBack == null || readBack != appliedIndex) {
                throw new CheckpointStoreException("the checkpoint at " + appliedIndex + " was committed but " + file
                        + " reads back applied index " + readBack + ": do not truncate the log below it");
            }
        } catch (DataAccessException e) {
            throw new CheckpointStoreException(
                    "the checkpoint at " + appliedIndex + " may not be durable (" + e.getMessage()
                            + "): do not truncate the log below it",
                    e);
        }
    }

    public synchronized CheckpointHeader exportLatest(OutputStream out) throws IOException {
        requireOpen();
        try {
            CheckpointHeader header = transactions.execute(status -> {
                CheckpointRecord record = aggregates.findById(CheckpointRecord.ID, CheckpointRecord.class);
                if (record == null) {
                    throw new CheckpointStoreException("there is no checkpoint in " + file + " to export yet");
                }
                try {
                    CheckpointExport.Writer writer = new CheckpointExport.Writer(out);
                    writer.header(record.header());
                    rows.readInto(writer);
                    writer.finish();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return record.header();
            });
            return Objects.requireNonNull(header);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Where a fresh database's records come from. */
    @FunctionalInterface
    interface RecordSource {
        void writeTo(CheckpointSink sink) throws IOException;
    }

    /**
     * Creates the database {@code name} in {@code directory}, which must not exist yet, and fills it
     * with what {@code source} writes: rows in transactions of one batch each (the file is not
     * current until the caller switches to it, so a crash leaves only a leftover to delete, and H2
     * need not keep every page of one huge transaction), the header last, then a sync and H2's
     * compaction (which shrank a freshly filled file of 1,000,000 keys from 171 MB to 131 MB in
     * 1.7 s). Reopened, it must read back the header's applied index.
     *
     * @return the reopened database, and how many rows were written into it
     * @throws IOException when the source throws it (nothing is left open)
     * @throws CheckpointStoreException when the database cannot be written or does not read back
     */
    static Filled createFilled(Path directory, String name, RecordSource source) throws IOException {
        H2CheckpointDatabase fresh = new H2CheckpointDatabase(directory, name);
        CheckpointHeader header;
        long rowsWritten;
        try {
            if (fresh.latestHeader().isPresent() || fresh.rowCount() != 0) {
                throw new CheckpointStoreException("the database " + fresh.file + " to be filled is not empty");
            }
            RowBatches batches =
                    new RowBatches(fresh.rows, batch -> fresh.transactions.executeWithoutResult(status -> batch.run()));
            source.writeTo(batches);
            header = batches.finish();
            long nextOrder = batches.nextOrder();
            fresh.transactions.executeWithoutResult(
                    status -> fresh.aggregates.insert(CheckpointRecord.of(header, nextOrder)));
            rowsWritten = batches.rowsWritten() + 1;
            fresh.jdbc.execute("SHUTDOWN COMPACT");
            fresh.close();
            try (FileChannel channel = FileChannel.open(fresh.file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        } catch (DataAccessException e) {
            fresh.close();
            throw new CheckpointStoreException(
                    "cannot write the fresh checkpoint database " + fresh.file + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            fresh.close();
            throw e;
        }
        H2CheckpointDatabase reopened = new H2CheckpointDatabase(directory, name);
        try {
            reopened.makeDurable(header.appliedIndex());
        } catch (RuntimeException e) {
            reopened.close();
            throw e;
        }
        return new Filled(reopened, header, rowsWritten);
    }

    /** A database {@link #createFilled} wrote: open, holding {@code header}'s checkpoint. */
    record Filled(H2CheckpointDatabase database, CheckpointHeader header, long rowsWritten) {}

    /** The header of the checkpoint held, if any. */
    synchronized Optional<CheckpointHeader> latestHeader() {
        requireOpen();
        return Optional.ofNullable(aggregates.findById(CheckpointRecord.ID, CheckpointRecord.class))
                .map(CheckpointRecord::header);
    }

    /** How many keys, sessions and idempotency answers the database holds. */
    synchronized long rowCount() {
        requireOpen();
        long count = 0;
        for (String table : List.of("MAP_ENTRY", "CLIENT_SESSION", "IDEMPOTENCY_ANSWER")) {
            Long rowsIn = jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
            count += rowsIn == null ? 0 : rowsIn;
        }
        return count;
    }

    /** The database file's size. */
    public long sizeOnDisk() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    public synchronized void close() {
        if (!closed) {
            closed = true;
            dataSource.destroy();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the checkpoint store " + file + " is closed");
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        // The new database file's directory entry must be durable too.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
