package dev.replication.runtime;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot transfer to a peer gave up: the receiver refused it, or calls kept failing beyond
 * the sender's bounds. Names the peer and the offset the receiver had confirmed, so an operator
 * can tell a stuck disk at 0 from a flaky link at 300 MB.
 */
public class SnapshotTransferException extends RuntimeException {

    private final String peerId;
    private final long offset;

    public SnapshotTransferException(String peerId, long offset, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.peerId = peerId;
        this.offset = offset;
    }

    public String peerId() {
        return peerId;
    }

    /** The offset the receiver had confirmed holding when the transfer gave up. */
    public long offset() {
        return offset;
    }
}
