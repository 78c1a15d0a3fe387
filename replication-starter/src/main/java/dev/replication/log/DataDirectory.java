package dev.replication.log;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A node's data directory: locked against a second user, and stamped on first start with the
 * identity it belongs to, so a node never runs on another node's (or another cluster's) data.
 *
 * <p>Layout: {@code node.lock} (the exclusive {@link FileLock}, held until {@link #close()}),
 * {@code identity.properties} (cluster id, node id, a random incarnation id; written
 * atomically), {@code hard-state} (see {@link HardStateFile}) and {@code log/} (the
 * {@link SegmentedLog}). A new incarnation id means the node lost its data and starts afresh.
 */
public final class DataDirectory implements AutoCloseable {

    static final String LOCK_FILE = "node.lock";
    static final String IDENTITY_FILE = "identity.properties";
    private static final int IDENTITY_FORMAT = 1;

    /** Who a data directory belongs to. */
    public record Identity(String clusterId, String nodeId, String incarnationId) {
        public Identity {
            Objects.requireNonNull(clusterId, "clusterId");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(incarnationId, "incarnationId");
        }
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Identity identity;
    private final boolean created;

    private DataDirectory(Path dir, FileChannel lockChannel, FileLock lock, Identity identity, boolean created) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.identity = identity;
        this.created = created;
    }

    /**
     * Opens (creating if needed) and locks {@code dir} for node {@code nodeId} of cluster
     * {@code clusterId}. The first start stamps the identity; later starts check it.
     *
     * @throws WriteAheadLogException when the directory is locked by another process or another
     *     open in this JVM, belongs to another cluster or node, holds data without an identity,
     *     or cannot be created or written
     */
    public static DataDirectory open(Path dir, String clusterId, String nodeId) {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(nodeId, "nodeId");
        Path root = dir.toAbsolutePath().normalize();
        FileChannel channel;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot create or open the data directory " + root + ": " + e
                            + ". Check that the path is a directory writable by this process (replication.data-dir).",
                    e);
        }
        try {
            FileLock lock = lock(channel, root);
            Path identityFile = root.resolve(IDENTITY_FILE);
            boolean created = !Files.exists(identityFile);
            Identity identity;
            if (created) {
                refuseDataWithoutIdentity(root);
                identity = new Identity(clusterId, nodeId, UUID.randomUUID().toString());
                writeIdentity(root, identity);
            } else {
                identity = readIdentity(identityFile);
                checkBelongs(root, identity, clusterId, nodeId);
            }
            return new DataDirectory(root, channel, lock, identity, created);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            if (e instanceof IOException io) {
                throw new WriteAheadLogException(
                        "cannot set up the data directory " + root + ": " + io
                                + ". Check that it is writable by this process and the disk is not full.",
                        io);
            }
            throw (RuntimeException) e;
        }
    }

    public Identity identity() {
        return identity;
    }

    /** True when this open stamped a new identity (a fresh node, no earlier data). */
    public boolean freshlyCreated() {
        return created;
    }

    public Path directory() {
        return dir;
    }

    /** Where the {@link SegmentedLog} lives. */
    public Path logDirectory() {
        return dir.resolve("log");
    }

    /** Where the {@link HardStateFile} lives. */
    public Path hardStateFile() {
        return dir.resolve("hard-state");
    }

    /** Where the {@link LowWaterMarkFile} lives (beside the hard state, outside the segment directory). */
    public Path lowWaterMarkFile() {
        return dir.resolve("low-water-mark");
    }

    /** Where the checkpoint store keeps its files. */
    public Path checkpointDirectory() {
        return dir.resolve("checkpoint");
    }

    /** Releases the lock; the directory may then be opened again. */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new WriteAheadLogException(
                    "cannot release the lock on the data directory " + dir + ": " + e
                            + ". The lock is dropped when this process exits.",
                    e);
        }
    }

    private static FileLock lock(FileChannel channel, Path root) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new WriteAheadLogException("the data directory " + root + " is already open in this JVM;"
                    + " two nodes cannot share one data directory. Give each node its own replication.data-dir,"
                    + " or close the other one first.");
        }
        if (lock == null) {
            throw new WriteAheadLogException("the data directory " + root + " is locked by another process"
                    + " (its " + LOCK_FILE + " is held); two nodes cannot share one data directory. Stop the other"
                    + " process or give this node its own replication.data-dir.");
        }
        return lock;
    }

    private static void refuseDataWithoutIdentity(Path root) throws IOException {
        try (Stream<Path> entries = Files.list(root)) {
            boolean hasData = entries.map(p -> p.getFileName().toString())
                    .anyMatch(name -> !name.equals(LOCK_FILE) && !name.equals(IDENTITY_FILE + ".tmp"));
            if (hasData) {
                throw new WriteAheadLogException("the data directory " + root + " holds data but no "
                        + IDENTITY_FILE + ", so it cannot be told whose data it is. Restore the identity file from"
                        + " a backup, or empty the directory to start this node afresh.");
            }
        }
    }

    private static void writeIdentity(Path root, Identity identity) throws IOException {
        String text = "# Written once when this node first started; do not edit or copy to another node.\n"
                + "format-version=" + IDENTITY_FORMAT + "\n"
                + "cluster-id=" + escape(identity.clusterId()) + "\n"
                + "node-id=" + escape(identity.nodeId()) + "\n"
                + "incarnation-id=" + identity.incarnationId() + "\n";
        FileLayer files = FileLayer.system();
        files.replaceAtomically(root.resolve(IDENTITY_FILE), ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        if (root.getParent() != null) {
            files.syncDirectory(root.getParent());
        }
    }

    private static Identity readIdentity(Path file) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        String format = properties.getProperty("format-version");
        String clusterId = properties.getProperty("cluster-id");
        String nodeId = properties.getProperty("node-id");
        String incarnationId = properties.getProperty("incarnation-id");
        if (!String.valueOf(IDENTITY_FORMAT).equals(format)
                || clusterId == null
                || nodeId == null
                || incarnationId == null) {
            throw new WriteAheadLogException("the identity file " + file + " is incomplete or of an unknown format"
                    + " (format-version " + format + "); restore it from a backup, or empty the data directory to"
                    + " start this node afresh.");
        }
        return new Identity(clusterId, nodeId, incarnationId);
    }

    private static void checkBelongs(Path root, Identity identity, String clusterId, String nodeId) {
        if (!identity.clusterId().equals(clusterId)) {
            throw new WriteAheadLogException("the data directory " + root + " belongs to cluster '"
                    + identity.clusterId() + "' but this node is configured for cluster '" + clusterId
                    + "'. Point replication.data-dir at this cluster's directory, fix replication.cluster-id"
                    + " (or peers, from which it is derived), or empty the directory to join afresh.");
        }
        if (!identity.nodeId().equals(nodeId)) {
            throw new WriteAheadLogException("the data directory " + root + " belongs to node '" + identity.nodeId()
                    + "' but this node is configured as '" + nodeId + "'. Point replication.data-dir at this node's"
                    + " own directory, or fix replication.node-id.");
        }
    }

    private static String escape(String value) {
        Properties properties = new Properties();
        properties.setProperty("v", value);
        java.io.StringWriter out = new java.io.StringWriter();
        try {
            properties.store(out, null);
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString()
                .lines()
                .filter(line -> line.startsWith("v="))
                .findFirst()
                .orElseThrow()
                .substring(2);
    }
}
