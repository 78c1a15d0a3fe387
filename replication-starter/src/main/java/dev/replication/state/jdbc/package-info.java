/**
 * Checkpoints of the key-value state in an embedded H2 database, through Spring Data JDBC:
 * {@link dev.replication.state.jdbc.H2CheckpointStore} implements
 * {@link dev.replication.state.CheckpointStore} in a database file under the directory it is given
 * (the runtime's {@code <data-dir>/checkpoint}). A large delta, a whole state or an install is
 * written as a fresh, compacted file and switched to atomically ({@code CheckpointFileNames}: the
 * file {@code CURRENT} names the database in use); a small delta in place, with a copy into a fresh
 * file once H2 has let it grow to twice its compact size. {@code H2CheckpointDatabase} is one such
 * file; {@code RowBatches} writes records into its rows.
 *
 * <p>The store is private to the starter: it builds its own connection, transaction template and
 * Spring Data JDBC template by hand, registers no bean and never touches the application's
 * {@code DataSource}. It owns the database schema (versioned, {@code CheckpointSchema}), the
 * header row ({@code CheckpointRecord}, a Spring Data JDBC aggregate), the bulk rows of keys,
 * sessions and idempotency answers ({@code CheckpointRows}) and the export format
 * ({@code CheckpointExport}).
 */
@NullMarked
package dev.replication.state.jdbc;

import org.jspecify.annotations.NullMarked;
