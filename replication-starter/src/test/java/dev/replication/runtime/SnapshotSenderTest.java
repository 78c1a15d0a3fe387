package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.runtime.SnapshotTransferProtocol.Chunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's side: one transfer per peer, bounded retries, progress. */
class SnapshotSenderTest {

    static final Path SOURCE = Path.of("/leader/snapshot-100-3.snap");
    static final Path INCOMING = Path.of("/follower/snapshots");
    static final int CHUNK = 4096;
    static final long WAIT_SECONDS = 30;
    static final SnapshotSenderSettings SETTINGS =
            new SnapshotSenderSettings(CHUNK, Duration.ofSeconds(5), 5, Duration.ofMillis(1), Duration.ofMillis(4), 3);

    final CrashSimulatingFileLayer leaderDisk = new CrashSimulatingFileLayer();
    final CrashSimulatingFileLayer followerDisk = new CrashSimulatingFileLayer();
    final ExecutorService executor = Executors.newSingleThreadExecutor();
    final SnapshotLink link = new SnapshotLink(receiver(1L << 30));
    final byte[] content = SnapshotLink.writeRandomFile(leaderDisk, SOURCE, 10 * CHUNK + 5, 42);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void startingATransferToAPeerCancelsTheOlderOneToThatPeerOnly() throws Exception {
        SnapshotSender sender = sender(SETTINGS.withMaxAttempts(1_000_000));
        link.down();
        CompletableFuture<SnapshotTransferProgress> toN3 = sender.send("n3", SOURCE, 100, 3, 7);
        CompletableFuture<SnapshotTransferProgress> older = sender.send("n2", SOURCE, 100, 3, 7);

        CompletableFuture<SnapshotTransferProgress> newer = sender.send("n2", SOURCE, 100, 3, 7);

        assertThat(older).isCompletedExceptionally();
        assertThatThrownBy(older::join)
                .isInstanceOf(CancellationException.class)
                .hasMessageContaining("n2");
        assertThat(toN3).isNotDone();
        link.up();
        assertThat(newer.get(WAIT_SECONDS, TimeUnit.SECONDS).bytesAcknowledged())
                .isEqualTo(content.length);
        assertThat(toN3.get(WAIT_SECONDS, TimeUnit.SECONDS).bytesAcknowledged()).isEqualTo(content.length);
    }

    @Test
    void callsThatKeepFailingFailTheTransferNamingThePeerTheOffsetAndWhy() {
        link.beforeDelivery = (call, chunk) -> {
            if (chunk.offset() == 2L * CHUNK) {
                link.down();
            }
        };

        CompletableFuture<SnapshotTransferProgress> transfer =
                sender(SETTINGS).send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7);

        assertThat(transfer)
                .failsWithin(WAIT_SECONDS, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOfSatisfying(SnapshotTransferException.class, failure -> {
                    assertThat(failure.peerId()).isEqualTo(SnapshotLink.FOLLOWER);
                    assertThat(failure.offset()).isEqualTo(3L * CHUNK);
                    assertThat(failure.getMessage())
                            .contains("to n2", "offset " + 3 * CHUNK, "6 times in a row", "link down (test)");
                });
        assertThat(link.dataOffsets())
                .filteredOn(offset -> offset == 3L * CHUNK)
                .hasSize(6);
    }

    @Test
    void aRefusedTransferFailsAtOnceWithTheReceiversReason() {
        link.receiver = receiver(1000);

        CompletableFuture<SnapshotTransferProgress> transfer =
                sender(SETTINGS).send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7);

        assertThat(transfer)
                .failsWithin(WAIT_SECONDS, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withMessageContaining("refused")
                .withMessageContaining("larger than this node accepts");
        assertThat(link.bodies).hasSize(1);
    }

    @Test
    void aTransferThatKeepsArrivingDamagedGivesUpAfterItsRestarts() {
        link.inTransit = body -> {
            Chunk chunk = SnapshotTransferProtocol.decodeChunk(body);
            if (chunk.offset() == 0 && chunk.data().length > 0) {
                body[body.length - 1] ^= 1;
            }
            return body;
        };

        CompletableFuture<SnapshotTransferProgress> transfer =
                sender(SETTINGS).send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7);

        assertThat(transfer)
                .failsWithin(WAIT_SECONDS, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withMessageContaining("damaged 4 times");
        assertThat(link.dataOffsets()).filteredOn(offset -> offset == 0L).hasSize(4);
    }

    @Test
    void progressShowsPerPeerWhatTheReceiverHoldsWhatWasSentAndTheTotal() throws Exception {
        List<SnapshotTransferProgress> seen = new CopyOnWriteArrayList<>();
        SnapshotSender sender = sender(SETTINGS);
        link.beforeDelivery = (call, chunk) -> {
            if (chunk.offset() == 4L * CHUNK) {
                seen.add(sender.progress(SnapshotLink.FOLLOWER));
                seen.addAll(sender.progress().values());
            }
        };

        SnapshotTransferProgress done =
                sender.send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7).get(WAIT_SECONDS, TimeUnit.SECONDS);

        SnapshotTransferProgress during =
                new SnapshotTransferProgress(SnapshotLink.FOLLOWER, 100, 3, 4L * CHUNK, 5L * CHUNK, content.length);
        assertThat(seen).containsExactly(during, during);
        assertThat(done)
                .isEqualTo(new SnapshotTransferProgress(
                        SnapshotLink.FOLLOWER, 100, 3, content.length, content.length, content.length));
        assertThat(sender.progress(SnapshotLink.FOLLOWER)).isNull();
        assertThat(sender.progress()).isEmpty();
    }

    @Test
    void aClosedSenderCancelsItsTransfersAndRefusesNewOnes() {
        SnapshotSender sender = sender(SETTINGS.withMaxAttempts(1_000_000));
        link.down();
        CompletableFuture<SnapshotTransferProgress> running = sender.send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7);

        sender.close();

        assertThatThrownBy(running::join).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() ->
                        sender.send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7).join())
                .isInstanceOf(CancellationException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void cancellingTheReturnedFutureStopsTheTransfer() throws Exception {
        SnapshotSender sender = sender(SETTINGS.withMaxAttempts(1_000_000));
        link.down();
        CompletableFuture<SnapshotTransferProgress> running = sender.send(SnapshotLink.FOLLOWER, SOURCE, 100, 3, 7);

        running.cancel(true);

        assertThat(sender.progress(SnapshotLink.FOLLOWER)).isNull();
        int calls = link.bodies.size();
        Thread.sleep(100);
        assertThat(link.bodies.size()).as("at most the call in flight").isLessThanOrEqualTo(calls + 1);
    }

    @Test
    void aRequestLimitWithNoRoomForDataIsRefusedAtConstruction() {
        link.maxRequestBytes = SnapshotTransferProtocol.CHUNK_HEADER_BYTES;

        assertThatThrownBy(() -> sender(SETTINGS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no room for snapshot data");
    }

    SnapshotReceiver receiver(long maxBytes) {
        return new SnapshotReceiver(INCOMING, followerDisk, maxBytes, Runnable::run, snapshot -> {});
    }

    SnapshotSender sender(SnapshotSenderSettings settings) {
        return new SnapshotSender(link, leaderDisk, executor, settings);
    }
}
