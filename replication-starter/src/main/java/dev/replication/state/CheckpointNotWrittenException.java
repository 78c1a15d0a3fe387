package dev.replication.state;

/**
 * A checkpoint write failed before anything of it was stored: its transaction rolled back, so
 * the store still holds the previous checkpoint, whole. The caller may carry the same changes
 * into the next write ({@link CheckpointDelta#followedBy}) instead of rewriting the whole state.
 */
public class CheckpointNotWrittenException extends CheckpointStoreException {

    private static final long serialVersionUID = 1L;

    public CheckpointNotWrittenException(String message, Throwable cause) {
        super(message, cause);
    }
}
