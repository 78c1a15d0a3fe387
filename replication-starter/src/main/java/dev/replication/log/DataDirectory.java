package dev.replication.log;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.UUID;

/**
 * A node's data directory: locked against a second process (or a second open in this JVM)
 * while in use, and stamped on first start with the identity it belongs to, so a directory of
 * another cluster or another node is refused instead of silently mixed in.
 */
public final class DataDirectory implements AutoCloseable {

    static final String IDENTITY_FILE = "identity.properties";
    static final String LOCK_FILE = "lock";

    /**
     * What a data directory belongs to.
     *
     * @param incarnation random, chosen when the directory was first stamped: a node whose data
     *     was lost comes back with a new incarnation
     */
    public record Identity(String clusterId, String nodeId, String incarnation) {
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Identity identity;

    private DataDirectory(Path dir, FileChannel lockChannel, FileLock lock, Identity identity) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.identity = identity;
    }

    /**
     * Opens (creating if needed), locks and checks {@code dir}.
     *
     * @throws IllegalStateException when another process or another open holds the directory,
     *     or it was stamped for another cluster or node
     */
    public static DataDirectory open(Path dir, String clusterId, String nodeId) {
        Path absolute = dir.toAbsolutePath();
        FileChannel channel = null;
        try {
            Files.createDirectories(absolute);
            channel = FileChannel.open(absolute.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("data directory " + absolute + " is in use by another replication node "
                        + "(it holds " + absolute.resolve(LOCK_FILE) + "); stop that node first or give this node its own "
                        + "replication.data-dir");
            }
            Identity identity = readOrStamp(absolute, clusterId, nodeId);
            return new DataDirectory(absolute, channel, lock, identity);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open data directory " + absolute + ": " + e.getMessage()
                    + "; check that it exists or can be created and is writable by this process", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Identity readOrStamp(Path dir, String clusterId, String nodeId) throws IOException {
        Path file = dir.resolve(IDENTITY_FILE);
        if (Files.exists(file)) {
            Properties stamped = new Properties();
            stamped.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            Identity identity = new Identity(stamped.getProperty("cluster-id"), stamped.getProperty("node-id"),
                    stamped.getProperty("incarnation"));
            if (!clusterId.equals(identity.clusterId())) {
                throw new IllegalStateException("data directory " + dir + " belongs to cluster '" + identity.clusterId()
                        + "' but this node is configured for cluster '" + clusterId + "'; point replication.data-dir "
                        + "at this cluster's directory, or fix replication.cluster-id / replication.peers");
            }
            if (!nodeId.equals(identity.nodeId())) {
                throw new IllegalStateException("data directory " + dir + " belongs to node '" + identity.nodeId()
                        + "' but this node is '" + nodeId + "'; every node needs its own replication.data-dir");
            }
            return identity;
        }
        Identity identity = new Identity(clusterId, nodeId, UUID.randomUUID().toString());
        String text = "# Identity of this replication data directory. Do not edit or copy it to another node.\n"
                + "cluster-id=" + clusterId + "\nnode-id=" + nodeId + "\nincarnation=" + identity.incarnation() + "\n";
        Path temp = dir.resolve(IDENTITY_FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + dir + " cannot rename atomically", e);
        }
        new ChannelFileLayer().syncDirectory(dir);
        return identity;
    }

    public Identity identity() {
        return identity;
    }

    public Path path() {
        return dir;
    }

    /** Where the write-ahead log's segments live. */
    public Path logDirectory() {
        return dir.resolve("log");
    }

    /** Where the generation and vote are kept. */
    public Path hardStateFile() {
        return dir.resolve("hard-state");
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // The channel close below releases it as well.
        } finally {
            closeQuietly(lockChannel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing more to release.
            }
        }
    }
}
