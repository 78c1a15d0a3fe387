package dev.replication.log;

/**
 * The log could not do what was asked because of its storage: an I/O error, a full disk, an
 * unwritable directory, or an earlier failure that stopped the writer. The message says what
 * failed and what to do.
 */
public class WriteAheadLogException extends RuntimeException {

    public WriteAheadLogException(String message) {
        super(message);
    }

    public WriteAheadLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
