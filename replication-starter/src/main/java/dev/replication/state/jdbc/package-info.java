/**
 * Checkpoints of the key-value state in an embedded H2 database, through Spring Data JDBC:
 * {@link dev.replication.state.jdbc.H2CheckpointStore} implements
 * {@link dev.replication.state.CheckpointStore} in a database file under the directory it is given
 * (the runtime's {@code <data-dir>/checkpoint}), and rewrites it into a fresh file once H2 has let
 * it grow a few times over its compact size ({@code CheckpointFileNames}: the file {@code CURRENT}
 * names the database in use). {@code H2CheckpointDatabase} is one such file.
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
