package dev.replication.transport;

import dev.replication.core.Message;
import dev.replication.transport.MessageCodec.BatchOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Restores, on the receiving node, the order in which a peer sent its batches. The batches of
 * one peer channel travel as concurrent HTTP/2 streams and are processed by concurrent server
 * threads, so without this about a third of them reach the core after a later one (measured);
 * the core stays correct either way, but a follower rejects an append that overtook its
 * predecessor and the leader has to resend.
 *
 * <p>Per sender and lane, a batch is delivered when it is the next in sequence; a later one
 * waits until the gap fills, until the sender says it gave the missing batch up (its
 * {@code oldestPending} moved past it), or at most {@link #MAX_GAP_WAIT}. A batch that arrives
 * after its gap was skipped is delivered at once: nothing is ever dropped here.
 */
final class InboundSequencer {

    /**
     * A gap normally closes within milliseconds; one that does not is a lost POST or a server
     * thread starved for CPU (seen above 100 ms at a load average of 25 on 2 cores). Waiting is
     * cheaper than handing on an append that will be rejected and resent.
     */
    static final Duration MAX_GAP_WAIT = Duration.ofMillis(250);

    private final ScheduledExecutorService scheduler;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicLong skippedGaps = new AtomicLong();

    InboundSequencer(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Hands {@code messages} to {@code delivery} in their sender's order (now or later). */
    void accept(String sender, BatchOrder order, List<Message> messages, Consumer<Message> delivery) {
        if (order.channel() == 0) {
            messages.forEach(delivery);
            return;
        }
        streams.computeIfAbsent(sender + "/" + order.lane(), key -> new Stream())
                .accept(order, messages, delivery);
    }

    /** Gaps given up after {@link #MAX_GAP_WAIT}: each lets a batch reach the handler early. */
    long skippedGaps() {
        return skippedGaps.get();
    }

    /** One sender's lane. */
    private final class Stream {

        private final TreeMap<Long, List<Message>> waiting = new TreeMap<>();
        private long channel;
        private long next;
        /** Replaced by every {@link #accept}, which comes before anything is delivered. */
        private Consumer<Message> delivery = message -> {};
        /** Set while messages wait behind a gap. */
        private @Nullable ScheduledFuture<?> gapTimer;

        synchronized void accept(BatchOrder order, List<Message> messages, Consumer<Message> latestDelivery) {
            delivery = latestDelivery;
            if (order.channel() != channel) {
                // A new channel (the sender restarted): hand on what the old one left, restart.
                waiting.values().forEach(batch -> batch.forEach(delivery));
                waiting.clear();
                channel = order.channel();
                next = order.oldestPending();
            }
            next = Math.max(next, order.oldestPending());
            if (order.sequence() < next) {
                messages.forEach(delivery); // its gap was already skipped
            } else {
                waiting.put(order.sequence(), messages);
            }
            drain();
        }

        synchronized void skipGap() {
            gapTimer = null;
            if (!waiting.isEmpty()) {
                skippedGaps.incrementAndGet();
                next = waiting.firstKey();
                drain();
            }
        }

        private void drain() {
            boolean progressed = false;
            while (!waiting.isEmpty() && waiting.firstKey() <= next) {
                Map.Entry<Long, List<Message>> first = waiting.pollFirstEntry();
                first.getValue().forEach(delivery);
                next = Math.max(next, first.getKey() + 1);
                progressed = true;
            }
            if (gapTimer != null && (waiting.isEmpty() || progressed)) {
                gapTimer.cancel(false);
                gapTimer = null;
            }
            if (!waiting.isEmpty() && gapTimer == null) {
                try {
                    gapTimer = scheduler.schedule(this::skipGap, MAX_GAP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException stopped) {
                    next = waiting.lastKey(); // shutting down: hand on what is here, unordered
                    waiting.values().forEach(batch -> batch.forEach(delivery));
                    waiting.clear();
                }
            }
        }
    }
}
