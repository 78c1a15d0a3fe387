package dev.replication.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The small file-I/O seam every durable byte of the log passes through. Production uses
 * {@link ChannelFileLayer}; tests use a layer that, at a simulated crash, forgets every write
 * not yet forced and every directory change not yet synced, so a missing fsync fails a test.
 *
 * <p>Durability contract callers rely on: file contents are durable only after
 * {@link FileHandle#force()}; creating, renaming or deleting a file is durable only after
 * {@link #syncDirectory(Path)} of its parent directory.
 */
public interface FileLayer {

    /** The production layer, on {@link java.nio.channels.FileChannel}. */
    static FileLayer system() {
        return new ChannelFileLayer();
    }

    /** Opens an existing file for reading and writing; creates it (empty) when {@code create}. */
    FileHandle open(Path file, boolean create) throws IOException;

    /** Creates the directory and any missing parents; does nothing when it exists. */
    void createDirectories(Path dir) throws IOException;

    /** Regular files directly inside {@code dir}, in no particular order. */
    List<Path> list(Path dir) throws IOException;

    boolean exists(Path file);

    /** Deletes the file if it exists. */
    void delete(Path file) throws IOException;

    /** Renames {@code source} to {@code target} atomically, replacing {@code target}. */
    void moveAtomically(Path source, Path target) throws IOException;

    /** Makes every create, rename and delete inside {@code dir} durable (fsync of the directory). */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Replaces {@code file} with {@code contents} atomically and durably: written to
     * {@code <file>.tmp}, forced, renamed over {@code file}, the directory synced. A crash at any
     * point leaves the old contents or the new, never a mix.
     */
    default void replaceAtomically(Path file, java.nio.ByteBuffer contents) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException("a file replaced atomically must be in a directory, was " + file);
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileHandle handle = open(temp, true)) {
            handle.truncate(0);
            handle.write(contents, 0);
            handle.force();
        }
        moveAtomically(temp, file);
        syncDirectory(dir);
    }

    /** One open file: positional reads and writes, safe for one writer and many readers. */
    interface FileHandle extends AutoCloseable {

        /** Reads into {@code dst} from {@code position}; returns bytes read, -1 at end of file. */
        int read(java.nio.ByteBuffer dst, long position) throws IOException;

        /** Writes all remaining bytes of {@code src} at {@code position}. */
        void write(java.nio.ByteBuffer src, long position) throws IOException;

        long size() throws IOException;

        /** Cuts the file to {@code size} bytes (durable only after {@link #force()}). */
        void truncate(long size) throws IOException;

        /** Makes all written data and the file's size durable (fsync). */
        void force() throws IOException;

        @Override
        void close() throws IOException;
    }
}
