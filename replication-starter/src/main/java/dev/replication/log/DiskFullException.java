package dev.replication.log;

import java.io.IOException;
import java.util.Locale;

/**
 * A write failed because the disk has no space left. Unlike other I/O errors the writer can
 * retry it: the bytes that did not fit are written again at the same offset, and nothing that
 * depended on them was acknowledged. Raised only for data writes and for creating a segment,
 * never for a failed fsync, whose effect on already written pages is unknown.
 */
final class DiskFullException extends IOException {

    DiskFullException(String message, IOException cause) {
        super(message, cause);
    }

    /** {@code failure} as a {@link DiskFullException} when it says the disk is full, else itself. */
    static IOException classify(IOException failure) {
        return isNoSpace(failure) ? new DiskFullException(String.valueOf(failure.getMessage()), failure) : failure;
    }

    // Java reports ENOSPC and EDQUOT only by the operating system's message.
    private static boolean isNoSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
                    return true;
                }
            }
        }
        return false;
    }
}
