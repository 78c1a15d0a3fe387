package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.Message;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.FileLayer;
import dev.replication.runtime.SnapshotReceiver.ReceivedSnapshot;
import dev.replication.runtime.SnapshotTransferProtocol.Chunk;
import dev.replication.transport.InMemoryPeerNetwork;
import dev.replication.transport.InboundHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot file from leader to follower, whole and resumable, over faulty links. */
class SnapshotTransferTest {

    static final Path SOURCE = Path.of("/leader/snapshot-100-3.snap");
    static final Path INCOMING = Path.of("/follower/snapshots");
    static final Path RECEIVED = INCOMING.resolve("snapshot-100-3.snap");
    static final int CHUNK = 64 * 1024;
    static final long WAIT_SECONDS = 30;

    final CrashSimulatingFileLayer leaderDisk = new CrashSimulatingFileLayer();
    final CrashSimulatingFileLayer followerDisk = new CrashSimulatingFileLayer();
    final List<ReceivedSnapshot> received = new CopyOnWriteArrayList<>();
    final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "snapshot-sender"));
    final SnapshotLink link = new SnapshotLink(receiver());
    final byte[] content = SnapshotLink.writeRandomFile(leaderDisk, SOURCE, 10 * CHUNK + 123, 42);

    static final SnapshotSenderSettings SETTINGS =
            new SnapshotSenderSettings(CHUNK, Duration.ofSeconds(5), 5, Duration.ofMillis(1), Duration.ofMillis(4), 3);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aFileOfSeveralMegabytesArrivesByteIdenticalOverTheInMemoryNetwork(@TempDir Path dir) throws Exception {
        FileLayer files = FileLayer.system();
        byte[] large = SnapshotLink.writeRandomFile(files, dir.resolve("leader/snapshot-100-3.snap"), 5_000_123, 7);
        SnapshotReceiver follower =
                new SnapshotReceiver(dir.resolve("follower"), files, 1L << 30, Runnable::run, received::add);
        follower.cleanUp();
        try (InMemoryPeerNetwork network = new InMemoryPeerNetwork()) {
            network.transportFor("n2").start(snapshotHandler(follower));
            SnapshotSender sender =
                    new SnapshotSender(network.transportFor("n1"), files, executor, SnapshotSenderSettings.defaults());

            SnapshotTransferProgress done = sender.send("n2", dir.resolve("leader/snapshot-100-3.snap"), 100, 3, 7)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(done.bytesAcknowledged()).isEqualTo(5_000_123);
            assertThat(received).singleElement().satisfies(snapshot -> {
                assertThat(snapshot.file()).isEqualTo(dir.resolve("follower/snapshot-100-3.snap"));
                assertThat(SnapshotLink.read(files, snapshot.file())).isEqualTo(large);
            });
        }
    }

    @Test
    void aTransferCutOffForAWhileOnTheInMemoryNetworkResumesFromTheReceiversOffset() throws Exception {
        SnapshotReceiver follower = receiver();
        List<Long> offsets = new CopyOnWriteArrayList<>();
        try (InMemoryPeerNetwork network = new InMemoryPeerNetwork()) {
            AtomicInteger chunks = new AtomicInteger();
            InboundHandler handler = snapshotHandler(follower);
            network.transportFor("n2").start(new InboundHandler() {
                @Override
                public void onMessage(Message message) {}

                @Override
                public CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body) {
                    offsets.add(SnapshotTransferProtocol.decodeChunk(body).offset());
                    if (chunks.incrementAndGet() == 5) {
                        // This chunk is written but its answer lost; the link stays cut for a while.
                        network.isolate("n2");
                        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)
                                .execute(network::heal);
                    }
                    return handler.onCall(fromPeer, operation, body);
                }
            });
            SnapshotSenderSettings patient = new SnapshotSenderSettings(
                    CHUNK, Duration.ofMillis(200), 50, Duration.ofMillis(10), Duration.ofMillis(50), 0);
            SnapshotSender sender = new SnapshotSender(network.transportFor("n1"), leaderDisk, executor, patient);

            sender.send("n2", SOURCE, 100, 3, 7).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
        assertThat(offsets).as("never back to 0").isSorted();
        assertThat(offsets)
                .as("the chunk whose answer was lost, resent")
                .filteredOn(o -> o == 3L * CHUNK)
                .hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void everyCallCarriesAtMostOneChunkOfTheConfiguredSize() throws Exception {
        send(sender());

        assertThat(link.bodies)
                .allSatisfy(body -> assertThat(body.length)
                        .isLessThanOrEqualTo(CHUNK + SnapshotTransferProtocol.CHUNK_HEADER_BYTES));
        assertThat(link.chunks())
                .extracting(c -> c.data().length)
                .containsExactly(0, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, 123);
    }

    @Test
    void chunksShrinkToFitThePeersRequestLimit() throws Exception {
        link.maxRequestBytes = 10_000;
        SnapshotSender sender = sender();

        send(sender);

        assertThat(sender.chunkBytes()).isEqualTo(10_000 - SnapshotTransferProtocol.CHUNK_HEADER_BYTES);
        assertThat(link.bodies).allSatisfy(body -> assertThat(body.length).isLessThanOrEqualTo(10_000));
        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
    }

    @Test
    void theLastChunkCarriesTheWholeFilesChecksumAndEveryChunkItsLength() throws Exception {
        send(sender());

        List<Chunk> chunks = link.chunks();
        assertThat(chunks)
                .allSatisfy(chunk -> assertThat(chunk.snapshot().totalLength()).isEqualTo(content.length));
        assertThat(chunks)
                .filteredOn(Chunk::last)
                .singleElement()
                .satisfies(last -> assertThat(last.checksum()).isEqualTo(SnapshotReceiverTest.checksum(content)));
    }

    @Test
    void aTransferWhoseCallsFailForAWhileResumesFromTheReceiversOffset() throws Exception {
        link.beforeDelivery = (call, chunk) -> {
            if (call == 4) {
                link.failNext(3);
            }
        };

        send(sender());

        assertThat(link.dataOffsets())
                .as("the chunk after the failures is resent, nothing from 0")
                .containsExactly(
                        0L,
                        1L * CHUNK,
                        2L * CHUNK,
                        3L * CHUNK,
                        4L * CHUNK,
                        4L * CHUNK,
                        4L * CHUNK,
                        4L * CHUNK,
                        5L * CHUNK,
                        6L * CHUNK,
                        7L * CHUNK,
                        8L * CHUNK,
                        9L * CHUNK,
                        10L * CHUNK);
        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
    }

    @Test
    void aChunkWhoseAnswerWasLostIsResentWithoutHarm() throws Exception {
        link.beforeDelivery = (call, chunk) -> {
            if (call == 3) {
                link.loseNextAnswers(1);
            }
        };

        send(sender());

        assertThat(link.dataOffsets())
                .filteredOn(offset -> offset == 3L * CHUNK)
                .hasSize(2);
        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
        assertThat(received).hasSize(1);
    }

    @Test
    void aRestartedSenderResumesFromTheReceiversOffsetRatherThanZero() throws Exception {
        link.beforeDelivery = (call, chunk) -> {
            if (chunk.offset() == 6L * CHUNK) {
                link.down();
            }
        };
        CompletableFuture<SnapshotTransferProgress> first = sender().send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7);
        assertThat(first).failsWithin(WAIT_SECONDS, TimeUnit.SECONDS);
        link.beforeDelivery = (call, chunk) -> {};
        link.up();
        link.bodies.clear();

        send(sender());

        assertThat(link.dataOffsets())
                .as("the chunk at 6 chunks arrived before the link went down")
                .first()
                .isEqualTo(7L * CHUNK);
        assertThat(link.dataOffsets())
                .as("the skipped bytes count in its checksum: no restart")
                .doesNotContain(0L);
        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
    }

    @Test
    void aChunkCorruptedInTransitFailsTheChecksumAndTheTransferStartsAgainFromZero() throws Exception {
        AtomicInteger corrupted = new AtomicInteger();
        link.inTransit = body -> {
            Chunk chunk = SnapshotTransferProtocol.decodeChunk(body);
            if (chunk.offset() == 2L * CHUNK && chunk.data().length > 0 && corrupted.getAndIncrement() == 0) {
                body[body.length - 17] ^= 0x40;
            }
            return body;
        };

        send(sender());

        List<Long> offsets = link.dataOffsets();
        assertThat(offsets.subList(1, offsets.size())).as("sent again from 0").contains(0L);
        assertThat(offsets).filteredOn(offset -> offset == 0L).hasSize(2);
        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
        assertThat(received).hasSize(1);
    }

    @Test
    void aReceiverThatCrashesMidTransferHoldsNoSnapshotAndTheTransferStartsAgainCleanly() throws Exception {
        List<List<String>> filesAfterRestart = new CopyOnWriteArrayList<>();
        link.beforeDelivery = (call, chunk) -> {
            if (chunk.offset() == 5L * CHUNK && filesAfterRestart.isEmpty()) {
                followerDisk.crash();
                link.receiver.close();
                SnapshotReceiver restarted = receiver();
                try {
                    restarted.cleanUp();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                filesAfterRestart.add(SnapshotLink.names(followerDisk, INCOMING));
                link.receiver = restarted;
            }
        };

        send(sender());

        assertThat(filesAfterRestart).containsExactly(List.of());
        assertThat(link.dataOffsets()).filteredOn(offset -> offset == 0L).hasSize(2);
        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
    }

    @Test
    void aCompletedSnapshotSurvivesACrashOfTheReceiver() throws Exception {
        send(sender());

        followerDisk.crash();

        assertThat(SnapshotLink.read(followerDisk, RECEIVED)).isEqualTo(content);
    }

    @Test
    void everyCallIsMadeFromTheSendersExecutorNotTheCallersThread() throws Exception {
        send(sender());

        assertThat(link.callingThreads).containsOnly("snapshot-sender");
    }

    // ---- helpers ----

    SnapshotReceiver receiver() {
        return new SnapshotReceiver(INCOMING, followerDisk, 1L << 30, Runnable::run, received::add);
    }

    SnapshotSender sender() {
        return new SnapshotSender(link, leaderDisk, executor, SETTINGS);
    }

    SnapshotTransferProgress send(SnapshotSender sender) throws Exception {
        return sender.send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static InboundHandler snapshotHandler(SnapshotReceiver receiver) {
        return new InboundHandler() {
            @Override
            public void onMessage(Message message) {}

            @Override
            public CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body) {
                return receiver.onCall(fromPeer, body);
            }
        };
    }
}
