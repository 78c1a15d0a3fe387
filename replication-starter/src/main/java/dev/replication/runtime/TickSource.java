package dev.replication.runtime;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's time: run by the timer every tick interval, it queues one {@code Tick} for the core,
 * never a second while one still waits in the queue (so ticks are bounded by construction, and a
 * burst of late timer runs after a stall does not flood the queue). It also notices when the
 * whole process was paused (a GC or SIGSTOP longer than the election timeout): the gap between
 * two runs shows it, and an operator needs to hear it, since the cluster will have moved on.
 *
 * <p>{@link #run} is called on the timer thread, {@link #taken} on the update-queue thread.
 */
final class TickSource implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TickSource.class);

    private final String nodeId;
    private final long intervalNanos;
    private final long electionTimeoutMillis;
    private final BooleanSupplier queueTick;
    private final LongSupplier nanoClock;
    private final LongConsumer onPause;
    private final AtomicBoolean queued = new AtomicBoolean();
    // Touched only by the timer thread.
    private long lastRunNanos;
    private boolean ranBefore;

    /**
     * @param queueTick offers one tick to the update queue; false when the node stopped
     * @param onPause told the length of a pause longer than the election timeout, in milliseconds
     */
    TickSource(
            String nodeId,
            long intervalMillis,
            long electionTimeoutMillis,
            BooleanSupplier queueTick,
            LongSupplier nanoClock,
            LongConsumer onPause) {
        this.nodeId = nodeId;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.electionTimeoutMillis = electionTimeoutMillis;
        this.queueTick = queueTick;
        this.nanoClock = nanoClock;
        this.onPause = onPause;
    }

    @Override
    public void run() {
        long now = nanoClock.getAsLong();
        if (ranBefore) {
            long pausedMillis = TimeUnit.NANOSECONDS.toMillis(now - lastRunNanos - intervalNanos);
            if (pausedMillis > electionTimeoutMillis) {
                log.warn(
                        "node {} was paused for {} ms (longer than the election timeout {} ms); the cluster may have "
                                + "elected another leader meanwhile, and this node catches up now. Look for long GC pauses, "
                                + "a stopped process or an overloaded host",
                        nodeId,
                        grouped(pausedMillis),
                        grouped(electionTimeoutMillis));
                onPause.accept(pausedMillis);
            }
        }
        ranBefore = true;
        lastRunNanos = now;
        if (queued.compareAndSet(false, true) && !queueTick.getAsBoolean()) {
            queued.set(false);
        }
    }

    private static String grouped(long millis) {
        return String.format(Locale.ROOT, "%,d", millis);
    }

    /** The queued tick reached the core; the next run may queue another. */
    void taken() {
        queued.set(false);
    }
}
