package dev.replication.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Singular Update Queue: events drained by exactly one thread, so the state it owns needs no
 * locks. Three kinds of event are admitted, each by its own rule, so that no kind can crowd out
 * another:
 *
 * <ul>
 *   <li>client requests ({@link #offer}): at most {@code capacity} queued; beyond that refused,
 *       which callers answer at once ("not applied" / unavailable: true, since nothing entered);
 *   <li>peer messages ({@link #offerPeer}): at most {@code peerCapacity} queued; beyond that
 *       dropped, which is safe because the consensus core resends what matters;
 *   <li>the node's own events ({@link #offerInternal}: ticks, fsync completions, retries, waits
 *       for an applied index): never refused while running. Losing one would leave a caller
 *       unanswered; the node bounds them by construction (one tick queued at most, one per
 *       append in flight, one per client request in progress).
 * </ul>
 *
 * <p>Once stopped, nothing is admitted, and {@link #drainRemaining} hands back everything that
 * was, so its callers can be answered: admission and stopping exclude each other, so no event
 * slips in after the drain.
 *
 * <p>The consumer receives events in batches (everything queued, up to a limit) so that many
 * proposals arriving together become one log append and one fsync.
 */
final class SingularUpdateQueue<E> {

    private static final Logger log = LoggerFactory.getLogger(SingularUpdateQueue.class);

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger clientRequests = new AtomicInteger();
    private final AtomicInteger peerMessages = new AtomicInteger();
    private final int capacity;
    private final int peerCapacity;
    private final int maxBatch;
    private final Thread thread;
    private final Consumer<List<E>> consumer;
    private final Consumer<Throwable> onFailure;
    private final Object admission = new Object();
    private volatile boolean running = true;

    /**
     * @param capacity client requests queued before new ones are refused
     * @param peerCapacity peer messages queued before new ones are dropped
     * @param onFailure called once, on the consumer thread, if processing throws; the queue then
     *     stops (fail-stop: state half-updated by a failed batch must not keep serving)
     */
    SingularUpdateQueue(
            String threadName,
            int capacity,
            int peerCapacity,
            int maxBatch,
            Consumer<List<E>> consumer,
            Consumer<Throwable> onFailure) {
        this.capacity = capacity;
        this.peerCapacity = peerCapacity;
        this.maxBatch = maxBatch;
        this.consumer = consumer;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Enqueues a client request without blocking; false when {@code capacity} are queued or stopped. */
    boolean offer(E event) {
        return offerCounted(event, clientRequests, capacity);
    }

    /** Enqueues a peer message without blocking; false (drop it) when {@code peerCapacity} are queued or stopped. */
    boolean offerPeer(E event) {
        return offerCounted(event, peerMessages, peerCapacity);
    }

    /** Enqueues the node's own follow-up work; refused only once stopped. */
    boolean offerInternal(E event) {
        synchronized (admission) {
            if (!running) {
                return false;
            }
            queue.add(event);
            return true;
        }
    }

    private boolean offerCounted(E event, AtomicInteger counter, int limit) {
        synchronized (admission) {
            if (!running) {
                return false;
            }
            if (counter.incrementAndGet() > limit) {
                counter.decrementAndGet();
                return false;
            }
            queue.add(new Counted<>(event, counter));
            return true;
        }
    }

    /** Stops the consumer after the batch in progress, waiting at most {@code timeoutMillis}. */
    void stop(long timeoutMillis) throws InterruptedException {
        stopAdmitting();
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            thread.join(timeoutMillis);
        }
    }

    private void stopAdmitting() {
        synchronized (admission) {
            running = false;
        }
    }

    /** Events still queued when the consumer stopped (so their callers can be answered). */
    List<E> drainRemaining() {
        List<Object> rest = new ArrayList<>();
        queue.drainTo(rest);
        List<E> events = new ArrayList<>(rest.size());
        rest.forEach(item -> events.add(unwrap(item)));
        return events;
    }

    private void run() {
        List<Object> raw = new ArrayList<>(maxBatch);
        List<E> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Object first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                raw.add(first);
                queue.drainTo(raw, maxBatch - 1);
                for (Object item : raw) {
                    batch.add(unwrap(item));
                }
                consumer.accept(batch);
            } catch (InterruptedException e) {
                if (running) {
                    log.warn("{} interrupted while running; continuing", thread.getName());
                }
            } catch (RuntimeException | Error e) {
                stopAdmitting();
                log.error("{} stopped: processing an event failed", thread.getName(), e);
                onFailure.accept(e);
            } finally {
                raw.clear();
                batch.clear();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private E unwrap(Object item) {
        if (item instanceof Counted<?> counted) {
            counted.counter().decrementAndGet();
            return (E) counted.event();
        }
        return (E) item;
    }

    private record Counted<E>(E event, AtomicInteger counter) {}
}
