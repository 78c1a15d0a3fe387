package dev.replication.runtime;

import dev.replication.core.Message;
import dev.replication.log.FileLayer;
import dev.replication.runtime.SnapshotTransferProtocol.Chunk;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerCallException;
import dev.replication.transport.PeerTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A {@link PeerTransport} from a {@link SnapshotSender} straight to one {@link SnapshotReceiver},
 * recording every body it is given (as sent, before any fault) and with the faults the transfer
 * tests need: calls that fail before delivery, answers lost after delivery, bodies changed in
 * transit, a hook before each delivery (to crash or restart the receiver), and a request limit.
 */
final class SnapshotLink implements PeerTransport {

    static final String LEADER = "n1";
    static final String FOLLOWER = "n2";

    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final List<String> callingThreads = new CopyOnWriteArrayList<>();
    volatile SnapshotReceiver receiver;
    volatile int maxRequestBytes = Integer.MAX_VALUE;
    /** Before each delivery, with the number of the call (from 0) and its chunk. */
    volatile Hook beforeDelivery = (call, chunk) -> {};

    volatile UnaryOperator<byte[]> inTransit = UnaryOperator.identity();
    private int notDelivered;
    private int answersLost;
    private boolean down;

    interface Hook {
        void accept(int call, Chunk chunk);
    }

    SnapshotLink(SnapshotReceiver receiver) {
        this.receiver = receiver;
    }

    /** The next {@code count} calls fail as certainly not delivered. */
    synchronized void failNext(int count) {
        notDelivered = count;
    }

    /** The next {@code count} calls reach the receiver, but their answers are lost. */
    synchronized void loseNextAnswers(int count) {
        answersLost = count;
    }

    /** Every call fails as not delivered until {@link #up}. */
    synchronized void down() {
        down = true;
    }

    synchronized void up() {
        down = false;
    }

    List<Chunk> chunks() {
        List<Chunk> chunks = new ArrayList<>();
        for (byte[] body : bodies) {
            chunks.add(SnapshotTransferProtocol.decodeChunk(body));
        }
        return chunks;
    }

    /** The offsets of the chunks that carried data, in the order they were sent. */
    List<Long> dataOffsets() {
        return chunks().stream()
                .filter(c -> c.data().length > 0)
                .map(Chunk::offset)
                .toList();
    }

    @Override
    public void start(InboundHandler handler) {}

    @Override
    public void send(Message message) {
        throw new UnsupportedOperationException("snapshot transfers use calls only");
    }

    @Override
    public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
        int call = bodies.size();
        bodies.add(body.clone());
        callingThreads.add(Thread.currentThread().getName());
        boolean fail;
        boolean lose;
        synchronized (this) {
            fail = down || notDelivered > 0;
            if (notDelivered > 0) {
                notDelivered--;
            }
            lose = !fail && answersLost > 0;
            if (lose) {
                answersLost--;
            }
        }
        if (fail) {
            return CompletableFuture.failedFuture(
                    new PeerCallException(peerId, PeerCallException.Delivery.NOT_DELIVERED, "link down (test)"));
        }
        if (!operation.equals(SnapshotTransferProtocol.INSTALL_SNAPSHOT)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown operation " + operation));
        }
        beforeDelivery.accept(call, SnapshotTransferProtocol.decodeChunk(body));
        CompletableFuture<byte[]> answer = receiver.onCall(LEADER, inTransit.apply(body.clone()));
        if (lose) {
            return answer.thenCompose(ignored -> CompletableFuture.failedFuture(
                    new PeerCallException(peerId, PeerCallException.Delivery.MAYBE_DELIVERED, "answer lost (test)")));
        }
        return answer;
    }

    @Override
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    @Override
    public void close() {}

    // ---- files ----

    /** Writes {@code length} seeded random bytes durably to {@code file} and returns them. */
    static byte[] writeRandomFile(FileLayer files, Path file, int length, long seed) {
        byte[] content = new byte[length];
        new Random(seed).nextBytes(content);
        try {
            files.createDirectories(file.getParent());
            try (FileLayer.FileHandle handle = files.open(file, true)) {
                handle.write(ByteBuffer.wrap(content), 0);
                handle.force();
            }
            files.syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return content;
    }

    static byte[] read(FileLayer files, Path file) {
        try (FileLayer.FileHandle handle = files.open(file, false)) {
            ByteBuffer content = ByteBuffer.allocate((int) handle.size());
            while (content.hasRemaining()) {
                if (handle.read(content, content.position()) < 0) {
                    break;
                }
            }
            return content.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> names(FileLayer files, Path dir) {
        try {
            return files.list(dir).stream()
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
