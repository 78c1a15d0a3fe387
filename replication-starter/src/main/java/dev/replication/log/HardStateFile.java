package dev.replication.log;

import dev.replication.core.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The node's generation and vote, replaced atomically on every change: written to a temp
 * file, forced, renamed over the old file, then the directory forced. A crash at any point
 * leaves either the old or the new state, never a mix, and a completed {@link #save} survives.
 *
 * <p>Format (big-endian): magic "RWHS", format version, generation, voted-for length (-1 for
 * nobody) and UTF-8 bytes, CRC32C of everything before it.
 */
public final class HardStateFile {

    private static final int MAGIC = 0x52574853; // "RWHS"
    private static final int VERSION = 1;

    private final Path file;
    private final Path dir;
    private final Path temp;
    private final FileLayer files;

    public HardStateFile(Path file) {
        this(file, FileLayer.system());
    }

    public HardStateFile(Path file, FileLayer files) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        Path parent = this.file.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("the hard state file must be in a directory, was " + this.file);
        }
        this.dir = parent;
        this.temp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
        this.files = Objects.requireNonNull(files, "files");
    }

    public Path file() {
        return file;
    }

    /** The saved state, or {@link HardState#INITIAL} when none was ever saved. */
    public HardState load() {
        if (!files.exists(file)) {
            return HardState.INITIAL;
        }
        try (FileLayer.FileHandle handle = files.open(file, false)) {
            long size = handle.size();
            if (size > 64 * 1024) {
                throw damaged("it is " + size + " bytes, far larger than a hard state");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            long at = 0;
            while (buf.hasRemaining() && handle.read(buf, at) > 0) {
                at = buf.position();
            }
            buf.flip();
            return decode(buf);
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot read the hard state file " + file + ": " + e
                            + ". Check the disk and the file's permissions.",
                    e);
        }
    }

    /** Replaces the saved state atomically; returns once the new state is durable. */
    public void save(HardState state) {
        Objects.requireNonNull(state, "state");
        ByteBuffer encoded = encode(state);
        try {
            try (FileLayer.FileHandle handle = files.open(temp, true)) {
                handle.truncate(0);
                handle.write(encoded, 0);
                handle.force();
            }
            files.moveAtomically(temp, file);
            files.syncDirectory(dir);
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot save the hard state (generation " + state.generation()
                            + ") to " + file + ": " + e
                            + ". The node must not vote or campaign until it can; check that"
                            + " the directory is writable and the disk is not full.",
                    e);
        }
    }

    private static ByteBuffer encode(HardState state) {
        byte[] votedFor = state.votedFor() == null ? null : state.votedFor().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 + 8 + 4 + (votedFor == null ? 0 : votedFor.length) + 4);
        buf.putInt(MAGIC).putInt(VERSION).putLong(state.generation());
        if (votedFor == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(votedFor.length).put(votedFor);
        }
        buf.putInt(crc(buf, buf.position()));
        return buf.flip();
    }

    private HardState decode(ByteBuffer buf) {
        if (buf.limit() < 24 || buf.getInt(0) != MAGIC) {
            throw damaged("it is not a hard state file");
        }
        if (buf.getInt(4) != VERSION) {
            throw new WriteAheadLogException("the hard state file " + file + " has format version " + buf.getInt(4)
                    + ", but this build reads version " + VERSION + "; run a release that reads it");
        }
        int votedForLength = buf.getInt(16);
        int crcAt = 20 + Math.max(0, votedForLength);
        if (votedForLength < -1 || crcAt + 4 != buf.limit() || buf.getInt(crcAt) != crc(buf, crcAt)) {
            throw damaged("its checksum does not match");
        }
        String votedFor = null;
        if (votedForLength >= 0) {
            byte[] bytes = new byte[votedForLength];
            buf.get(20, bytes);
            votedFor = new String(bytes, StandardCharsets.UTF_8);
        }
        return new HardState(buf.getLong(8), votedFor);
    }

    private WriteAheadLogException damaged(String problem) {
        return new WriteAheadLogException("the hard state file " + file + " is damaged: " + problem
                + ". It is replaced atomically, so this means disk corruption or a foreign file: restore the"
                + " data directory from a backup, or wipe it and re-add the node to the cluster.");
    }

    private static int crc(ByteBuffer buf, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(0, length));
        return (int) crc.getValue();
    }
}
