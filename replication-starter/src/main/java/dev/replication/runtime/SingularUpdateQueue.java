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
 * locks. Requests from outside are bounded: {@link #offer} refuses when {@code capacity} of them
 * are queued, which callers turn into back-pressure (a clear "overloaded" error) instead of
 * unbounded memory. Completions of the node's own work (a log fsync finished) use {@link
 * #offerInternal}, which is never refused: losing one would leave acknowledgements stuck.
 *
 * <p>The consumer receives events in batches (everything queued, up to a limit) so that many
 * proposals arriving together become one log append and one fsync.
 */
final class SingularUpdateQueue<E> {

    private static final Logger log = LoggerFactory.getLogger(SingularUpdateQueue.class);

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger external = new AtomicInteger();
    private final int capacity;
    private final int maxBatch;
    private final Thread thread;
    private final Consumer<List<E>> consumer;
    private final Consumer<Throwable> onFailure;
    private volatile boolean running = true;

    /**
     * @param onFailure called once, on the consumer thread, if processing throws; the queue then
     *     stops (fail-stop: state half-updated by a failed batch must not keep serving)
     */
    SingularUpdateQueue(
            String threadName, int capacity, int peerCapacity, int maxBatch, Consumer<List<E>> consumer,
            Consumer<Throwable> onFailure) {
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.consumer = consumer;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Enqueues a request from outside without blocking; false when full or stopped. */
    boolean offer(E event) {
        if (!running) {
            return false;
        }
        if (external.incrementAndGet() > capacity) {
            external.decrementAndGet();
            return false;
        }
        queue.add(new External<>(event));
        return true;
    }

    boolean offerPeer(E event) {
        return offer(event);
    }

    /** Enqueues the node's own follow-up work; never refused while running. */
    boolean offerInternal(E event) {
        if (!running) {
            return false;
        }
        queue.add(event);
        return true;
    }

    /** Stops the consumer after the batch in progress, waiting at most {@code timeoutMillis}. */
    void stop(long timeoutMillis) throws InterruptedException {
        running = false;
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            thread.join(timeoutMillis);
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
                running = false;
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
        if (item instanceof External<?> wrapped) {
            external.decrementAndGet();
            return (E) wrapped.event();
        }
        return (E) item;
    }

    private record External<E>(E event) {
    }
}
