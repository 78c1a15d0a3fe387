package dev.replication.log;

import dev.replication.core.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The node's generation and vote, kept in two fixed-size slots of one file that are overwritten in
 * place, alternately: a save writes the slot holding the older state and forces it, so a crash at
 * any point leaves the previous state in the other slot (a torn slot fails its checksum), and a
 * completed {@link #save} survives. Overwriting blocks the file already has needs no free space,
 * so a full disk never stops a node from voting or changing generation (the reason for slots
 * rather than a temp file renamed over the old one, which needs new blocks on every save; this
 * holds on file systems that overwrite in place, not on copy-on-write ones such as btrfs or ZFS).
 * The file is created once, atomically (temp file, force, rename, directory sync).
 *
 * <p>Slot format (big-endian, {@value #SLOT_BYTES} bytes, zero-padded): magic "RWHS", format
 * version, sequence number, generation, voted-for length (-1 for nobody) and UTF-8 bytes, CRC32C
 * of everything before it. The slot with the higher sequence among the valid ones wins. A file of
 * format version 1 (one record, replaced by rename) is read and rewritten in this format.
 */
public final class HardStateFile {

    private static final int MAGIC = 0x52574853; // "RWHS"
    private static final int LEGACY_VERSION = 1;
    private static final int VERSION = 2;
    static final int SLOT_BYTES = 4096;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 8 + 4;
    /** Longest voted-for id a slot holds (node ids are far shorter; checked when saving). */
    static final int MAX_VOTED_FOR_BYTES = SLOT_BYTES - HEADER_BYTES - 4;

    private final Path file;
    private final FileLayer files;
    // The sequence of the newest valid slot, once the file was read or created; -1 before.
    private long sequence = -1;

    public HardStateFile(Path file) {
        this(file, FileLayer.system());
    }

    public HardStateFile(Path file, FileLayer files) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        Path parent = this.file.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("the hard state file must be in a directory, was " + this.file);
        }
        this.files = Objects.requireNonNull(files, "files");
    }

    public Path file() {
        return file;
    }

    /**
     * The saved state, or {@link HardState#INITIAL} when none was ever saved. Creates the file
     * (or rewrites a version-1 file) when needed, so that later saves need no free space.
     */
    public synchronized HardState load() {
        try {
            if (!files.exists(file)) {
                create(HardState.INITIAL);
                return HardState.INITIAL;
            }
            ByteBuffer contents = readAll();
            if (contents.limit() >= 8 && contents.getInt(0) == MAGIC && contents.getInt(4) == LEGACY_VERSION) {
                HardState legacy = decodeLegacy(contents);
                create(legacy);
                return legacy;
            }
            return decodeSlots(contents);
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot read or create the hard state file " + file + ": " + e
                            + ". Check the disk, the file's permissions, and that the disk is not full at start.",
                    e);
        }
    }

    /** Replaces the saved state; returns once the new state is durable. */
    public synchronized void save(HardState state) {
        Objects.requireNonNull(state, "state");
        if (sequence < 0) {
            load();
        }
        long next = sequence + 1;
        ByteBuffer slot = encodeSlot(state, next);
        try (FileLayer.FileHandle handle = files.open(file, false)) {
            handle.write(slot, (next % 2) * SLOT_BYTES);
            handle.force();
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot save the hard state (generation " + state.generation()
                            + ") to " + file + ": " + e
                            + ". The node must not vote or campaign until it can; check the disk.",
                    e);
        }
        sequence = next;
    }

    /** Writes a fresh two-slot file holding {@code state} at sequence 0, atomically. */
    private void create(HardState state) throws IOException {
        ByteBuffer both = ByteBuffer.allocate(2 * SLOT_BYTES);
        both.put(encodeSlot(state, 0));
        both.position(0).limit(2 * SLOT_BYTES);
        files.replaceAtomically(file, both);
        sequence = 0;
    }

    private ByteBuffer readAll() throws IOException {
        try (FileLayer.FileHandle handle = files.open(file, false)) {
            long size = handle.size();
            if (size > 2 * SLOT_BYTES) {
                throw damaged("it is " + size + " bytes, larger than a hard state file");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            long at = 0;
            while (buf.hasRemaining() && handle.read(buf, at) > 0) {
                at = buf.position();
            }
            return buf.flip();
        }
    }

    private static ByteBuffer encodeSlot(HardState state, long sequence) {
        byte[] votedFor = state.votedFor() == null ? null : state.votedFor().getBytes(StandardCharsets.UTF_8);
        if (votedFor != null && votedFor.length > MAX_VOTED_FOR_BYTES) {
            throw new IllegalArgumentException("a voted-for node id of " + votedFor.length
                    + " bytes does not fit the hard state (at most " + MAX_VOTED_FOR_BYTES + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.allocate(SLOT_BYTES);
        buf.putInt(MAGIC).putInt(VERSION).putLong(sequence).putLong(state.generation());
        if (votedFor == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(votedFor.length).put(votedFor);
        }
        buf.putInt(crc(buf, 0, buf.position()));
        return buf.position(0);
    }

    private HardState decodeSlots(ByteBuffer contents) {
        Slot best = null;
        for (int index = 0; index < 2; index++) {
            Slot slot = decodeSlot(contents, index * SLOT_BYTES);
            if (slot != null && (best == null || slot.sequence() > best.sequence())) {
                best = slot;
            }
        }
        if (best == null) {
            throw damaged("neither of its two slots passes its checksum");
        }
        sequence = best.sequence();
        return best.state();
    }

    private record Slot(long sequence, HardState state) {}

    private @Nullable Slot decodeSlot(ByteBuffer contents, int at) {
        if (contents.limit() < at + HEADER_BYTES + 4 || contents.getInt(at) != MAGIC) {
            return null;
        }
        if (contents.getInt(at + 4) != VERSION) {
            throw new WriteAheadLogException("the hard state file " + file + " has format version "
                    + contents.getInt(at + 4) + ", but this build reads versions " + LEGACY_VERSION + " and "
                    + VERSION + "; run a release that reads it");
        }
        int votedForLength = contents.getInt(at + HEADER_BYTES - 4);
        if (votedForLength < -1 || votedForLength > MAX_VOTED_FOR_BYTES) {
            return null;
        }
        int crcAt = at + HEADER_BYTES + Math.max(0, votedForLength);
        if (contents.getInt(crcAt) != crc(contents, at, crcAt - at)) {
            return null;
        }
        String votedFor = null;
        if (votedForLength >= 0) {
            byte[] bytes = new byte[votedForLength];
            contents.get(at + HEADER_BYTES, bytes);
            votedFor = new String(bytes, StandardCharsets.UTF_8);
        }
        return new Slot(contents.getLong(at + 8), new HardState(contents.getLong(at + 16), votedFor));
    }

    /** Version 1: one record, magic, version, generation, voted-for, CRC32C. */
    private HardState decodeLegacy(ByteBuffer buf) {
        if (buf.limit() < 24) {
            throw damaged("it is too short for a hard state");
        }
        int votedForLength = buf.getInt(16);
        int crcAt = 20 + Math.max(0, votedForLength);
        if (votedForLength < -1 || crcAt + 4 != buf.limit() || buf.getInt(crcAt) != crc(buf, 0, crcAt)) {
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
                + ". A save only ever tears one slot, so this means disk corruption or a foreign file: restore the"
                + " data directory from a backup, or wipe it and re-add the node to the cluster.");
    }

    private static int crc(ByteBuffer buf, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(from, length));
        return (int) crc.getValue();
    }
}
