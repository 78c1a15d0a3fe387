package dev.replication.state;

/**
 * A checkpoint store refused an operation (a checkpoint older than the stored one, a database of
 * an unknown schema) or could not make a checkpoint durable; the message says which and what to do.
 */
public class CheckpointStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CheckpointStoreException(String message) {
        super(message);
    }

    public CheckpointStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
