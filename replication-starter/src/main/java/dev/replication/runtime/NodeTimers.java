package dev.replication.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's one timer thread: the tick that drives the core's time, and the deadline of every
 * request. It never touches the node's state: ticks go through the update queue, and a deadline
 * only completes its request's own future.
 */
final class NodeTimers {

    private final ScheduledThreadPoolExecutor executor;

    NodeTimers(String nodeId) {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "replication-timers-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        // Every request has a deadline; answered requests must not keep theirs queued.
        executor.setRemoveOnCancelPolicy(true);
    }

    void every(long millis, Runnable task) {
        executor.scheduleAtFixedRate(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code onDeadline} after {@code millis} unless {@code request} completed first. */
    void deadline(CompletableFuture<?> request, long millis, Runnable onDeadline) {
        ScheduledFuture<?> task;
        try {
            task = executor.schedule(onDeadline, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The node is closing: it answers every request it still holds once its queue stopped.
            return;
        }
        request.whenComplete((ignored, failure) -> task.cancel(false));
    }

    /** Fails {@code request} with {@code error} unless it completes within {@code millis}. */
    void failAfter(CompletableFuture<?> request, long millis, Supplier<Throwable> error) {
        deadline(request, millis, () -> request.completeExceptionally(error.get()));
    }

    /** Stops at once; pending deadlines never fire. */
    void shutdownNow() {
        executor.shutdownNow();
    }
}
