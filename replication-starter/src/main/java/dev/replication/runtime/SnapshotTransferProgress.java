package dev.replication.runtime;

/**
 * How far a transfer got, for metrics and the status endpoint.
 *
 * @param bytesAcknowledged what the receiver said it holds (the offset it expects next)
 * @param bytesSent chunk data put on the wire, resends included
 * @param totalBytes the file's length; -1 until the file is opened
 */
public record SnapshotTransferProgress(
        String peerId,
        long snapshotIndex,
        long snapshotGeneration,
        long bytesAcknowledged,
        long bytesSent,
        long totalBytes) {}
