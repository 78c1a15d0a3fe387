package dev.replication.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The Low-Water Mark: the index (and its generation) of the newest durable checkpoint that log
 * segments may be deleted below. It is written, through the log's file layer, only after that
 * checkpoint is durable and before any segment below it is deleted, so at start a checkpoint
 * older than this mark proves the checkpoint store lost data (entries it needs are gone) and the
 * node refuses to start instead of serving a state with a hole in it.
 *
 * <p>Replaced atomically (temp file, force, rename, directory sync). Format (big-endian): magic
 * "RWLW", format version 1, index, generation, CRC32C of everything before it.
 */
public final class LowWaterMarkFile {

    private static final int MAGIC = 0x52574C57; // "RWLW"
    private static final int VERSION = 1;
    private static final int SIZE = 4 + 4 + 8 + 8 + 4;

    /** A mark: entries up to {@code index} are covered by a checkpoint; 0 when none was written. */
    public record Mark(long index, long generation) {
        public static final Mark NONE = new Mark(0, 0);
    }

    private final Path file;
    private final FileLayer files;

    public LowWaterMarkFile(Path file) {
        this(file, FileLayer.system());
    }

    public LowWaterMarkFile(Path file, FileLayer files) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        this.files = Objects.requireNonNull(files, "files");
    }

    public Path file() {
        return file;
    }

    /** The mark written last, or {@link Mark#NONE}. */
    public Mark load() {
        if (!files.exists(file)) {
            return Mark.NONE;
        }
        try (FileLayer.FileHandle handle = files.open(file, false)) {
            if (handle.size() != SIZE) {
                throw damaged("it is " + handle.size() + " bytes, not " + SIZE);
            }
            ByteBuffer buf = ByteBuffer.allocate(SIZE);
            long at = 0;
            while (buf.hasRemaining() && handle.read(buf, at) > 0) {
                at = buf.position();
            }
            buf.flip();
            if (buf.getInt(0) != MAGIC || buf.getInt(4) != VERSION || buf.getInt(24) != crc(buf)) {
                throw damaged("its header or checksum does not match");
            }
            return new Mark(buf.getLong(8), buf.getLong(16));
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot read the low-water mark " + file + ": " + e
                            + ". Check the disk and the file's permissions.",
                    e);
        }
    }

    /**
     * Replaces the mark durably. Needs a few bytes of free space: when that fails, compaction
     * waits for the next checkpoint (nothing is deleted without a durable mark).
     *
     * @throws IOException when the mark could not be made durable (the previous one stands)
     */
    public void save(Mark mark) throws IOException {
        if (mark.index() < 0 || mark.generation() < 0) {
            throw new IllegalArgumentException("a low-water mark has a non-negative index and generation: " + mark);
        }
        ByteBuffer buf = ByteBuffer.allocate(SIZE);
        buf.putInt(MAGIC).putInt(VERSION).putLong(mark.index()).putLong(mark.generation());
        buf.putInt(crc(buf));
        buf.flip();
        files.replaceAtomically(file, buf);
    }

    private WriteAheadLogException damaged(String problem) {
        return new WriteAheadLogException("the low-water mark " + file + " is damaged: " + problem
                + ". It is replaced atomically, so this means disk corruption: restore the data directory from a"
                + " backup, or wipe it and re-add the node to the cluster.");
    }

    private static int crc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(0, 24));
        return (int) crc.getValue();
    }
}
