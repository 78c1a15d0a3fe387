package dev.replication.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * An in-memory {@link FileLayer} that models what survives a power loss: a file's bytes only
 * as of its last {@link FileHandle#force()}, and a directory's entries (creations, renames,
 * deletions) only as of its last {@link #syncDirectory(Path)}. {@link #crash()} throws away
 * everything else, so a missing fsync, a missing directory fsync, or an acknowledgement given
 * before the fsync shows up as lost data in a test. A SIGKILL test cannot show these: the
 * page cache survives a killed process.
 *
 * <p>Faults: a full disk after a byte budget, failing fsyncs, unwritable directories, and
 * held fsyncs (a force blocks until released) to observe what happens while one is pending.
 * Directories themselves are durable as soon as they are created (a simplification).
 */
public final class CrashSimulatingFileLayer implements FileLayer {

    private static final class Inode {
        byte[] data = new byte[0];
        int size;
        byte[] durable = new byte[0];
    }

    /** The unit in which a disk writes data back: a page survives a crash whole or not at all. */
    static final int PAGE = 4096;

    private final Map<Path, Inode> current = new HashMap<>();
    private final Map<Path, Inode> durable = new HashMap<>();
    private final Set<Path> directories = new HashSet<>();
    private final Set<Path> readOnlyDirectories = new HashSet<>();
    private long epoch;
    private long forces;
    private long directorySyncs;
    private long bytesRead;
    private long writeBudget = Long.MAX_VALUE;
    private int failingForces;
    private CountDownLatch forceGate;
    private int heldForces;

    // ---- the seam ----

    @Override
    public synchronized FileHandle open(Path file, boolean create) throws IOException {
        Path path = normalize(file);
        Inode inode = current.get(path);
        if (inode == null) {
            if (!create) {
                throw new NoSuchFileException(path.toString());
            }
            Path parent = path.getParent();
            if (!directories.contains(parent)) {
                throw new NoSuchFileException(parent.toString(), null, "parent directory does not exist");
            }
            if (readOnlyDirectories.contains(parent)) {
                throw new AccessDeniedException(path.toString());
            }
            inode = new Inode();
            current.put(path, inode);
        }
        return new Handle(path, inode, epoch);
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        Path path = normalize(dir);
        List<Path> missing = new ArrayList<>();
        for (Path p = path; p != null && !directories.contains(p); p = p.getParent()) {
            if (current.containsKey(p)) {
                throw new FileAlreadyExistsException(p.toString(), null, "a file with this name exists");
            }
            missing.add(p);
        }
        for (Path p : missing) {
            if (p.getParent() != null && readOnlyDirectories.contains(p.getParent())) {
                throw new AccessDeniedException(p.toString());
            }
        }
        directories.addAll(missing);
    }

    @Override
    public synchronized List<Path> list(Path dir) throws IOException {
        Path path = normalize(dir);
        if (!directories.contains(path)) {
            throw new NoSuchFileException(path.toString());
        }
        List<Path> files = new ArrayList<>();
        for (Path p : current.keySet()) {
            if (path.equals(p.getParent())) {
                files.add(p);
            }
        }
        return files;
    }

    @Override
    public synchronized boolean exists(Path file) {
        Path path = normalize(file);
        return current.containsKey(path) || directories.contains(path);
    }

    @Override
    public synchronized void delete(Path file) throws IOException {
        Path path = normalize(file);
        if (readOnlyDirectories.contains(path.getParent())) {
            throw new AccessDeniedException(path.toString());
        }
        current.remove(path);
    }

    @Override
    public synchronized void moveAtomically(Path source, Path target) throws IOException {
        Path from = normalize(source);
        Path to = normalize(target);
        Inode inode = current.remove(from);
        if (inode == null) {
            throw new NoSuchFileException(from.toString());
        }
        current.put(to, inode);
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        Path path = normalize(dir);
        if (!directories.contains(path)) {
            throw new NoSuchFileException(path.toString());
        }
        durable.keySet().removeIf(p -> path.equals(p.getParent()));
        for (Map.Entry<Path, Inode> entry : current.entrySet()) {
            if (path.equals(entry.getKey().getParent())) {
                durable.put(entry.getKey(), entry.getValue());
            }
        }
        directorySyncs++;
    }

    // ---- crashes ----

    /** Power loss: every unforced byte and every unsynced directory change is gone; open handles die. */
    public synchronized void crash() {
        crash(null);
    }

    /**
     * Power loss in which part of each file's unforced appended tail did reach the disk (a
     * random prefix of it): the torn tails recovery must cut off.
     */
    public synchronized void crashKeepingTornTails(Random random) {
        crash(random);
    }

    /**
     * Power loss in which the disk wrote back an arbitrary subset of the 4 KiB pages appended
     * since each file's last force, in no particular order: a later page may survive while an
     * earlier one is lost (read back as zeros), and the file's size may end anywhere between its
     * forced and its written size. Forced bytes always survive.
     */
    public synchronized void crashKeepingRandomPages(Random random) {
        epoch++;
        Map<Path, Inode> survivors = new HashMap<>();
        for (Map.Entry<Path, Inode> entry : durable.entrySet()) {
            Inode old = entry.getValue();
            byte[] kept = old.durable;
            boolean pureAppend = old.size > old.durable.length
                    && Arrays.equals(old.data, 0, old.durable.length, old.durable, 0, old.durable.length);
            if (pureAppend) {
                int length = random.nextBoolean()
                        ? old.size
                        : old.durable.length + random.nextInt(old.size - old.durable.length + 1);
                kept = Arrays.copyOf(old.durable, length);
                for (int page = old.durable.length / PAGE; page * PAGE < length; page++) {
                    if (random.nextBoolean()) {
                        int from = Math.max(page * PAGE, old.durable.length);
                        int to = Math.min((page + 1) * PAGE, length);
                        System.arraycopy(old.data, from, kept, from, to - from);
                    }
                }
            }
            Inode fresh = new Inode();
            fresh.data = kept.clone();
            fresh.size = kept.length;
            fresh.durable = kept.clone();
            survivors.put(entry.getKey(), fresh);
        }
        current.clear();
        current.putAll(survivors);
        durable.clear();
        durable.putAll(survivors);
    }

    private void crash(Random torn) {
        epoch++;
        Map<Path, Inode> survivors = new HashMap<>();
        for (Map.Entry<Path, Inode> entry : durable.entrySet()) {
            Inode old = entry.getValue();
            Inode fresh = new Inode();
            byte[] kept = old.durable;
            boolean pureAppend = old.size > old.durable.length
                    && Arrays.equals(old.data, 0, old.durable.length, old.durable, 0, old.durable.length);
            if (torn != null && pureAppend) {
                int length = old.durable.length + torn.nextInt(old.size - old.durable.length + 1);
                kept = Arrays.copyOf(old.data, length);
            }
            fresh.data = kept.clone();
            fresh.size = kept.length;
            fresh.durable = kept.clone();
            survivors.put(entry.getKey(), fresh);
        }
        current.clear();
        current.putAll(survivors);
        durable.clear();
        durable.putAll(survivors);
    }

    // ---- faults ----

    /**
     * After files grow by {@code bytes} more bytes, writes that would grow them fail as on a full disk (the
     * last one partially); overwriting existing bytes still succeeds.
     */
    public synchronized void failWritesAfter(long bytes) {
        writeBudget = bytes;
    }

    /** The next {@code count} fsyncs fail with an I/O error. */
    public synchronized void failNextForces(int count) {
        failingForces = count;
    }

    public synchronized void makeReadOnly(Path dir) {
        readOnlyDirectories.add(normalize(dir));
    }

    /** From now on every fsync blocks until {@link #releaseForces()}. */
    public synchronized void holdForces() {
        forceGate = new CountDownLatch(1);
    }

    public void releaseForces() {
        CountDownLatch gate;
        synchronized (this) {
            gate = forceGate;
            forceGate = null;
        }
        if (gate != null) {
            gate.countDown();
        }
    }

    /** Number of threads blocked in a held fsync. */
    public synchronized int heldForces() {
        return heldForces;
    }

    // ---- observations ----

    public synchronized long forceCount() {
        return forces;
    }

    public synchronized long directorySyncCount() {
        return directorySyncs;
    }

    public synchronized long bytesRead() {
        return bytesRead;
    }

    /** Current (not necessarily durable) size of a file, -1 when it does not exist. */
    public synchronized long sizeOf(Path file) {
        Inode inode = current.get(normalize(file));
        return inode == null ? -1 : inode.size;
    }

    /** Overwrites bytes of a file, durably, as bit rot or a stray writer would. */
    public synchronized void corrupt(Path file, long position, byte[] bytes) {
        Inode inode = current.get(normalize(file));
        System.arraycopy(bytes, 0, inode.data, (int) position, bytes.length);
        inode.durable = Arrays.copyOf(inode.data, inode.size);
    }

    private static Path normalize(Path path) {
        return path.toAbsolutePath().normalize();
    }

    private final class Handle implements FileHandle {
        private final Path path;
        private final Inode inode;
        private final long openedInEpoch;

        Handle(Path path, Inode inode, long openedInEpoch) {
            this.path = path;
            this.inode = inode;
            this.openedInEpoch = openedInEpoch;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (CrashSimulatingFileLayer.this) {
                checkAlive();
                if (position >= inode.size) {
                    return -1;
                }
                int length = (int) Math.min(dst.remaining(), inode.size - position);
                dst.put(inode.data, (int) position, length);
                bytesRead += length;
                return length;
            }
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            synchronized (CrashSimulatingFileLayer.this) {
                checkAlive();
                int length = src.remaining();
                // Like a real full disk: only bytes past the file's end need new space;
                // overwriting bytes the file already has always succeeds.
                long growth = Math.max(0, position + length - inode.size);
                boolean full = growth > writeBudget;
                int writable = full ? (int) Math.max(0, inode.size + writeBudget - position) : length;
                long grown = Math.max(0, position + writable - inode.size);
                int end = (int) position + writable;
                if (end > inode.data.length) {
                    inode.data = Arrays.copyOf(inode.data, Math.max(end, inode.data.length * 2));
                }
                src.get(inode.data, (int) position, writable);
                inode.size = Math.max(inode.size, end);
                if (writeBudget != Long.MAX_VALUE) {
                    writeBudget -= grown;
                }
                if (full) {
                    throw new IOException("No space left on device (simulated, writing " + path + ")");
                }
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (CrashSimulatingFileLayer.this) {
                checkAlive();
                return inode.size;
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (CrashSimulatingFileLayer.this) {
                checkAlive();
                if (size < inode.size) {
                    Arrays.fill(inode.data, (int) size, inode.size, (byte) 0);
                    inode.size = (int) size;
                }
            }
        }

        @Override
        public void force() throws IOException {
            CountDownLatch gate;
            synchronized (CrashSimulatingFileLayer.this) {
                gate = forceGate;
                if (gate != null) {
                    heldForces++;
                }
            }
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while a simulated fsync was held", e);
                } finally {
                    synchronized (CrashSimulatingFileLayer.this) {
                        heldForces--;
                    }
                }
            }
            synchronized (CrashSimulatingFileLayer.this) {
                checkAlive();
                if (failingForces > 0) {
                    failingForces--;
                    throw new IOException("Input/output error (simulated fsync failure of " + path + ")");
                }
                inode.durable = Arrays.copyOf(inode.data, inode.size);
                forces++;
            }
        }

        @Override
        public void close() {
            // Nothing to release; a handle from before a crash simply stays dead.
        }

        private void checkAlive() throws IOException {
            if (openedInEpoch != epoch) {
                throw new IOException("simulated crash: " + path + " was open when the machine went down");
            }
        }
    }
}
