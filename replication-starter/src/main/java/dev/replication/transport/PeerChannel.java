package dev.replication.transport;

import dev.replication.core.AppendRequest;
import dev.replication.core.Message;
import dev.replication.transport.MessageCodec.BatchOrder;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound half of a Single Socket Channel to one peer: bounded queues drained into batch
 * POSTs over the transport's one HTTP/2 connection to that peer, with a bounded number in flight
 * (Request Pipeline).
 *
 * <p>Two lanes: appends that carry entries, and everything else (heartbeats, votes, responses,
 * read index). The small-message lane has in-flight slots of its own and is drained first, so a
 * heartbeat never waits behind a megabyte of entries. After a failure the channel backs off
 * (doubling, with jitter) and then probes with a single POST until one succeeds; messages of a
 * failed POST are dropped, never retried here: the core retries with fresh state.
 */
final class PeerChannel {

    private static final Logger log = LoggerFactory.getLogger(PeerChannel.class);
    private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
    /** POSTs of small messages in flight besides the append window. */
    private static final int URGENT_IN_FLIGHT = 4;

    private final String peerId;
    private final HttpUrl messagesUrl;
    private final PeerTransportSettings settings;
    private final OkHttpClient client;
    private final MessageCodec codec;
    private final ClusterCredential credential;
    private final Executor drainExecutor;
    private final ScheduledExecutorService scheduler;

    /** Random per channel instance, so the receiver can tell a restarted sender's sequence. */
    private final long channelId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    private final Lane urgent = new Lane(0, URGENT_IN_FLIGHT);
    private final Lane bulk;
    private boolean drainScheduled;
    private boolean wakeUpPending;
    private boolean closed;
    private int consecutiveFailures;
    private long backoffUntilNanos;

    private final AtomicLong sentMessages = new AtomicLong();
    private final AtomicLong sentBatches = new AtomicLong();
    private final AtomicLong droppedMessages = new AtomicLong();

    PeerChannel(
            String peerId,
            HttpUrl baseUrl,
            PeerTransportSettings settings,
            OkHttpClient client,
            MessageCodec codec,
            ClusterCredential credential,
            Executor drainExecutor,
            ScheduledExecutorService scheduler) {
        this.peerId = peerId;
        this.messagesUrl = baseUrl.resolve(Http2PeerTransport.BASE_PATH + "messages");
        this.settings = settings;
        this.client = client;
        this.codec = codec;
        this.credential = credential;
        this.drainExecutor = drainExecutor;
        this.scheduler = scheduler;
        this.bulk = new Lane(1, settings.maxInFlightBatches());
    }

    /** Queues {@code message}; never blocks. False when the lane is full and it was dropped. */
    boolean offer(Message message) {
        synchronized (this) {
            Lane lane = isBulk(message) ? bulk : urgent;
            if (closed || lane.queue.size() >= settings.queueCapacity()) {
                droppedMessages.incrementAndGet();
                return false;
            }
            lane.queue.add(message);
        }
        scheduleDrain();
        return true;
    }

    void close() {
        synchronized (this) {
            closed = true;
            droppedMessages.addAndGet(urgent.queue.size() + bulk.queue.size());
            urgent.queue.clear();
            bulk.queue.clear();
        }
    }

    long sentMessages() {
        return sentMessages.get();
    }

    long sentBatches() {
        return sentBatches.get();
    }

    long droppedMessages() {
        return droppedMessages.get();
    }

    private static boolean isBulk(Message message) {
        return message instanceof AppendRequest append && !append.isHeartbeat();
    }

    private void scheduleDrain() {
        synchronized (this) {
            // While backing off, the pending wake-up drains: offers must not pile up timers.
            if (drainScheduled || wakeUpPending || closed) {
                return;
            }
            drainScheduled = true;
        }
        try {
            drainExecutor.execute(this::drain);
        } catch (RejectedExecutionException stopped) {
            close(); // the transport is closing: what is queued will never be sent
        }
    }

    private void wakeUp() {
        synchronized (this) {
            wakeUpPending = false;
        }
        scheduleDrain();
    }

    /** Runs on the drain executor, never on the caller of send: encoding and signing cost CPU. */
    private void drain() {
        while (true) {
            Batch batch = nextBatch();
            if (batch == null) {
                return;
            }
            post(batch);
        }
    }

    /** The next batch allowed to go out now, or null (and the drain ends) when none is. */
    private synchronized @Nullable Batch nextBatch() {
        if (closed) {
            drainScheduled = false;
            return null;
        }
        long waitNanos = backoffUntilNanos - System.nanoTime();
        if (consecutiveFailures > 0 && waitNanos > 0) {
            drainScheduled = false;
            if (!wakeUpPending) {
                try {
                    scheduler.schedule(this::wakeUp, waitNanos, TimeUnit.NANOSECONDS);
                    wakeUpPending = true;
                } catch (RejectedExecutionException stopped) {
                    closed = true;
                }
            }
            return null;
        }
        // After a failure, probe with one POST at a time until the peer answers again.
        boolean probing = consecutiveFailures > 0;
        int inFlight = urgent.pending.size() + bulk.pending.size();
        for (Lane lane : List.of(urgent, bulk)) {
            if (!lane.queue.isEmpty() && (probing ? inFlight == 0 : lane.pending.size() < lane.maxInFlight)) {
                return lane.take();
            }
        }
        drainScheduled = false;
        return null;
    }

    private void post(Batch batch) {
        byte[] body = codec.encodeBatch(batch.order, batch.messages);
        if (body.length > settings.maxBodyBytes()) {
            // The peer would refuse it (413) every time the core resent it: drop it here, once,
            // loudly. Only a single oversized message gets here: batches stop at maxBatchBytes.
            synchronized (this) {
                batch.lane.pending.remove(batch.order.sequence());
            }
            droppedMessages.addAndGet(batch.messages.size());
            log.error(
                    "Dropped {} message(s) for peer {} ({}): their {} bytes exceed the peer"
                            + " request limit of {} bytes. Keep replication.pipeline.max-bytes-per-append"
                            + " and the largest entry well below it",
                    batch.messages.size(),
                    peerId,
                    batch.messages.get(0).getClass().getSimpleName(),
                    body.length,
                    settings.maxBodyBytes());
            return;
        }
        Request.Builder request = new Request.Builder().url(messagesUrl).post(RequestBody.create(body, OCTET_STREAM));
        for (Map.Entry<String, String> header :
                credential.sign(settings.nodeId(), peerId, "messages", body).entrySet()) {
            request.header(header.getKey(), header.getValue());
        }
        Call call = client.newCall(DeliveryTracker.attachTo(request).build());
        call.enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    completed(batch, response.isSuccessful() ? null : "HTTP " + Http2PeerTransport.describe(response));
                }
            }

            @Override
            public void onFailure(Call call, IOException failure) {
                completed(batch, failure.toString());
            }
        });
    }

    /** @param failure null when the peer accepted the batch; otherwise why it did not */
    private void completed(Batch batch, @Nullable String failure) {
        boolean recovered = false;
        boolean failedFirst = false;
        int failures;
        synchronized (this) {
            batch.lane.pending.remove(batch.order.sequence());
            if (failure == null) {
                recovered = consecutiveFailures > 0;
                consecutiveFailures = 0;
            } else {
                consecutiveFailures++;
                failedFirst = consecutiveFailures == 1;
                long backoff = Math.min(
                        settings.reconnectBackoffMax().toNanos(),
                        settings.reconnectBackoffMin().toNanos() << Math.min(20, consecutiveFailures - 1));
                // Jitter spreads the retries of nodes that lost the same peer at once.
                backoff = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                backoffUntilNanos = System.nanoTime() + backoff;
            }
            failures = consecutiveFailures;
        }
        if (failure == null) {
            sentMessages.addAndGet(batch.messages.size());
            sentBatches.incrementAndGet();
            if (recovered) {
                log.info("Peer {} at {} is reachable again", peerId, messagesUrl);
            }
        } else {
            droppedMessages.addAndGet(batch.messages.size());
            if (failedFirst) {
                log.warn(
                        "Sending {} message(s) to peer {} at {} failed: {}; retrying with"
                                + " backoff up to {} (the core resends what is still needed)",
                        batch.messages.size(),
                        peerId,
                        messagesUrl,
                        failure,
                        settings.reconnectBackoffMax());
            } else {
                log.debug("Peer {} still failing ({} attempts): {}", peerId, failures, failure);
            }
        }
        scheduleDrain();
    }

    /** One queue with its own in-flight window and batch sequence. */
    private final class Lane {

        final int index;
        final int maxInFlight;
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        /** Sequences of this lane's POSTs not yet answered. */
        final TreeSet<Long> pending = new TreeSet<>();

        long nextSequence = 1;

        Lane(int index, int maxInFlight) {
            this.index = index;
            this.maxInFlight = maxInFlight;
        }

        /** Takes a batch bounded by count and bytes (at least one message); caller holds the lock. */
        Batch take() {
            List<Message> messages = new ArrayList<>(Math.min(queue.size(), settings.maxBatchMessages()));
            int bytes = 0;
            while (!queue.isEmpty() && messages.size() < settings.maxBatchMessages()) {
                int size = codec.estimatedSize(queue.peek());
                if (!messages.isEmpty() && bytes + size > settings.maxBatchBytes()) {
                    break;
                }
                bytes += size;
                messages.add(queue.poll());
            }
            long sequence = nextSequence++;
            pending.add(sequence);
            return new Batch(this, new BatchOrder(channelId, index, sequence, pending.first()), messages);
        }
    }

    private record Batch(Lane lane, BatchOrder order, List<Message> messages) {}
}
