package dev.replication.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Admission control for the key-value API: at most {@code sample.kv.max-concurrent-requests}
 * requests are in progress at once, each running its blocking map call on a thread of this
 * bounded pool, never on a web-server request thread. So no request thread waits for a commit
 * (the peers' messages, which arrive on the same web server, always find one), and beyond the
 * bound a request is refused at once with {@link OverloadedException} (503 + Retry-After)
 * instead of queueing until it times out.
 */
@Component
class RequestAdmission implements DisposableBean {

    private final int maxConcurrent;
    private final Semaphore permits;
    private final ThreadPoolExecutor workers;

    RequestAdmission(KeyValueLimits limits) {
        this.maxConcurrent = limits.maxConcurrentRequests();
        this.permits = new Semaphore(maxConcurrent);
        AtomicInteger counter = new AtomicInteger();
        // As many threads as admitted requests, so an admitted request never waits for one;
        // idle ones go away. The queue never holds more than the permits allow.
        this.workers = new ThreadPoolExecutor(
                maxConcurrent,
                maxConcurrent,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(maxConcurrent),
                runnable -> {
                    Thread thread = new Thread(runnable, "kv-request-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code call} (which may block until the cluster answers) on a worker, or refuses at
     * once when {@code maxConcurrent} requests are already in progress.
     */
    <T> CompletableFuture<T> submit(Supplier<T> call) {
        if (!permits.tryAcquire()) {
            throw new OverloadedException("This node is already serving " + maxConcurrent
                    + " requests (sample.kv.max-concurrent-requests); nothing was changed. Retry after"
                    + " a second, or spread requests over the other nodes.");
        }
        try {
            return CompletableFuture.supplyAsync(call, workers).whenComplete((result, failure) -> permits.release());
        } catch (RuntimeException rejected) {
            permits.release();
            throw new OverloadedException("This node is shutting down; nothing was changed. Retry on another node.");
        }
    }

    @Override
    public void destroy() {
        workers.shutdownNow();
    }

    /** Refused before reaching the replicated map: nothing changed, retry later. */
    static final class OverloadedException extends RuntimeException {
        OverloadedException(String message) {
            super(message);
        }
    }
}
