package dev.replication.state;

/**
 * What a {@link CheckpointStore#write} made durable.
 *
 * @param rowsWritten rows inserted or updated, as the database counted them
 * @param rowsDeleted rows deleted, as the database counted them
 */
public record CheckpointReceipt(long appliedIndex, long appliedGeneration, long rowsWritten, long rowsDeleted) {}
