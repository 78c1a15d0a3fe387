package dev.replication.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.Message;
import dev.replication.core.TimeoutNow;
import dev.replication.transport.MessageCodec.BatchOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InboundSequencerTest {

    private static final long CHANNEL = 77;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final InboundSequencer sequencer = new InboundSequencer(scheduler);
    private final List<Long> delivered = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void deliversBatchesInSendOrderWhateverTheArrivalOrder() {
        arrive(CHANNEL, 0, 3, 1);
        arrive(CHANNEL, 0, 2, 1);
        assertThat(delivered).isEmpty();

        arrive(CHANNEL, 0, 1, 1);

        assertThat(delivered).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aGapTheSenderGaveUpOnIsSkippedAtOnce() {
        arrive(CHANNEL, 0, 1, 1);
        arrive(CHANNEL, 0, 3, 2);
        assertThat(delivered).containsExactly(1L);

        // Batch 2 failed at the sender: its next batch says the oldest still pending is 4.
        arrive(CHANNEL, 0, 4, 4);

        assertThat(delivered).containsExactly(1L, 3L, 4L);
    }

    @Test
    void aGapNobodyFillsIsSkippedAfterTheMaximumWait() {
        arrive(CHANNEL, 0, 1, 1);
        arrive(CHANNEL, 0, 3, 2);

        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
        assertThat(delivered).containsExactly(1L, 3L);
    }

    @Test
    void aBatchArrivingAfterItsGapWasSkippedIsStillDelivered() {
        arrive(CHANNEL, 0, 1, 1);
        arrive(CHANNEL, 0, 3, 3);

        arrive(CHANNEL, 0, 2, 2);

        assertThat(delivered).containsExactly(1L, 3L, 2L);
    }

    @Test
    void lanesAreOrderedIndependently() {
        arrive(CHANNEL, 1, 2, 1);

        arrive(CHANNEL, 0, 1, 1);

        assertThat(delivered).containsExactly(1L);
    }

    @Test
    void aNewChannelFromTheSameSenderStartsANewSequence() {
        arrive(CHANNEL, 0, 1, 1);
        arrive(CHANNEL, 0, 2, 2);

        arrive(CHANNEL + 1, 0, 1, 1);

        assertThat(delivered).containsExactly(1L, 2L, 1L);
    }

    @Test
    void unorderedBatchesAreDeliveredAtOnce() {
        sequencer.accept(
                "n1",
                BatchOrder.UNORDERED,
                List.of(new TimeoutNow("n1", "n2", 9)),
                message -> delivered.add(message.generation()));

        assertThat(delivered).containsExactly(9L);
    }

    /** A batch of one message whose generation is its sequence, to read the delivery order. */
    private void arrive(long channel, int lane, long sequence, long oldestPending) {
        List<Message> batch = List.of(new TimeoutNow("n1", "n2", sequence));
        sequencer.accept(
                "n1",
                new BatchOrder(channel, lane, sequence, oldestPending),
                batch,
                message -> delivered.add(message.generation()));
    }
}
