package dev.replication.state.jdbc;

import dev.replication.state.CheckpointDelta;
import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointNotWrittenException;
import dev.replication.state.CheckpointReceipt;
import dev.replication.state.CheckpointSink;
import dev.replication.state.CheckpointStore;
import dev.replication.state.CheckpointStoreException;
import dev.replication.state.IdempotencyAnswer;
import dev.replication.state.MapChanges;
import dev.replication.state.SessionImage;
import dev.replication.state.StoredEntry;
import dev.replication.state.StoredValue;
import java.io.IOException;
import java.io.InputStream;
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
final class H2CheckpointDatabase implements CheckpointStore {

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
     * sped an incremental checkpoint up only a little.
     */
    static String jdbcUrl(Path directory, String name) {
        return "jdbc:h2:file:" + directory.resolve(name).toAbsolutePath()
                + ";AUTO_SERVER=FALSE;FILE_LOCK=FILE;DB_CLOSE_ON_EXIT=FALSE;LAZY_QUERY_EXECUTION=TRUE"
                + ";CACHE_SIZE=16384";
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

    @Override
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

    @Override
    public synchronized CheckpointReceipt write(CheckpointDelta delta) {
        requireOpen();
        CheckpointHeader header = delta.header();
        long[] counts = new long[2];
        try {
            transactions.executeWithoutResult(status -> {
                CheckpointRecord stored = aggregates.findById(CheckpointRecord.ID, CheckpointRecord.class);
                refuseOutOfOrder(delta, stored);
                long nextOrder = stored == null ? 1 : stored.nextAnswerOrder();
                if (delta.replacesAll()) {
                    counts[1] += rows.deleteAll();
                    nextOrder = 1;
                }
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

    private void refuseOutOfOrder(CheckpointDelta delta, @Nullable CheckpointRecord stored) {
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

    @Override
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

    @Override
    public synchronized CheckpointHeader importSnapshot(InputStream in) throws IOException {
        requireOpen();
        CheckpointHeader header;
        try {
            header = transactions.execute(status -> {
                boolean exists = aggregates.existsById(CheckpointRecord.ID, CheckpointRecord.class);
                rows.deleteAll();
                ImportBatches batches = new ImportBatches();
                try {
                    CheckpointExport.read(in, batches);
                } catch (IOException e) {
                    // Rolls back every row inserted so far: the store keeps what it had.
                    throw new UncheckedIOException(e);
                }
                CheckpointHeader imported = batches.finish();
                writeRecord(CheckpointRecord.of(imported, batches.nextOrder), exists);
                return imported;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Objects.requireNonNull(header);
        makeDurable(header.appliedIndex());
        return header;
    }

    /** Rows of an import, written in batches as they are read, inside the import's transaction. */
    private final class ImportBatches implements CheckpointSink {
        private @Nullable CheckpointHeader header;
        private @Nullable String map;
        private final List<StoredEntry> values = new ArrayList<>();
        private final List<SessionImage> sessions = new ArrayList<>();
        private final List<IdempotencyAnswer> answers = new ArrayList<>();
        private long nextOrder = 1;

        @Override
        public void header(CheckpointHeader imported) {
            header = imported;
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
                rows.writeSessions(sessions);
                sessions.clear();
            }
        }

        @Override
        public void idempotencyAnswer(IdempotencyAnswer answer) {
            answers.add(answer);
            if (answers.size() >= CheckpointRows.BATCH) {
                flushAnswers();
            }
        }

        CheckpointHeader finish() {
            flushValues();
            rows.writeSessions(sessions);
            flushAnswers();
            return Objects.requireNonNull(header, "an export always has a header");
        }

        private void flushValues() {
            if (map != null && !values.isEmpty()) {
                rows.writeValues(map, values);
            }
            values.clear();
        }

        private void flushAnswers() {
            rows.writeAnswers(answers, nextOrder);
            nextOrder += answers.size();
            answers.clear();
        }
    }

    /** The database file's size. */
    @Override
    public long sizeOnDisk() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
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
