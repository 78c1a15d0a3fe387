package dev.replication.log;

import java.nio.file.Path;

/**
 * A log file holds damaged data where committed records may live (not a torn tail): opening
 * stops instead of silently dropping them. Names the file and the byte offset.
 */
public class LogCorruptedException extends WriteAheadLogException {

    private final Path file;
    private final long offset;

    public LogCorruptedException(Path file, long offset, String problem) {
        super("log file " + file + " is corrupt at byte offset " + offset + ": " + problem
                + ". Committed records may be at or after this point, so the node refuses to start"
                + " rather than drop them. Keep a copy of the file for diagnosis, then restore this"
                + " node's data directory from a backup or wipe it and re-add the node so it"
                + " catches up from its peers.");
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
