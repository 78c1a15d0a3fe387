package dev.replication.api;

/**
 * An atomic read-modify-write ({@code compute}, {@code merge}, {@code replace}, ...) lost its
 * compare-and-set to concurrent writers on every attempt and gave up; nothing was changed by
 * this call. Retry later, reduce contention on the key, or raise the attempt limit.
 */
public class UpdateContentionException extends ReplicationException {

    private final int attempts;

    public UpdateContentionException(String message, int attempts) {
        super(message);
        this.attempts = attempts;
    }

    /** How many compare-and-set attempts were made. */
    public int attempts() {
        return attempts;
    }
}
