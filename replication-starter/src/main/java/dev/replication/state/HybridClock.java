package dev.replication.state;

/**
 * Hybrid Logical Clock: a timestamp that follows wall-clock time but never goes backwards and
 * orders events within one millisecond. Pure: the physical time is passed in, so the leader
 * stamps log entries with {@code tick(System.currentTimeMillis())} while tests pass any time.
 *
 * <p>A timestamp is a {@code long}: the upper 48 bits are milliseconds since the epoch (enough
 * until the year 10889), the lower 16 bits a logical counter. Because of this layout
 * incrementing a timestamp carries a full counter into the next millisecond, and timestamps
 * compare as plain longs.
 *
 * <p>Thread-safe.
 */
public final class HybridClock {

    /** Bits of the logical counter in a timestamp. */
    public static final int LOGICAL_BITS = 16;

    private static final long MAX_PHYSICAL_MILLIS = (1L << (64 - LOGICAL_BITS - 1)) - 1;

    private long last;

    /** A clock that has seen nothing yet. */
    public HybridClock() {
        this(0);
    }

    /** A clock that continues after {@code lastTimestamp} (for example the last applied stamp). */
    public HybridClock(long lastTimestamp) {
        requireValid(lastTimestamp);
        this.last = lastTimestamp;
    }

    /**
     * A new timestamp for an event happening now, greater than every timestamp this clock issued
     * or observed: {@code nowMillis} with counter 0 when the wall clock moved ahead, otherwise the
     * last timestamp plus one.
     */
    public synchronized long tick(long nowMillis) {
        long candidate = timestamp(nowMillis, 0);
        last = Math.max(candidate, last + 1);
        return last;
    }

    /** Takes in a timestamp seen elsewhere (a log entry, a message) so later ticks exceed it. */
    public synchronized void observe(long timestamp) {
        requireValid(timestamp);
        last = Math.max(last, timestamp);
    }

    /** The greatest timestamp issued or observed so far (0 when none). */
    public synchronized long last() {
        return last;
    }

    /** Packs milliseconds since the epoch and a logical counter into a timestamp. */
    public static long timestamp(long physicalMillis, int logical) {
        if (physicalMillis < 0 || physicalMillis > MAX_PHYSICAL_MILLIS) {
            throw new IllegalArgumentException("physical time must be milliseconds since the epoch in [0, "
                    + MAX_PHYSICAL_MILLIS + "], was " + physicalMillis);
        }
        if (logical < 0 || logical >= (1 << LOGICAL_BITS)) {
            throw new IllegalArgumentException("logical counter must be in [0, 65535], was " + logical);
        }
        return (physicalMillis << LOGICAL_BITS) | logical;
    }

    /** The wall-clock part of a timestamp, in milliseconds since the epoch. */
    public static long physicalMillis(long timestamp) {
        return timestamp >>> LOGICAL_BITS;
    }

    /** The logical counter of a timestamp. */
    public static int logical(long timestamp) {
        return (int) (timestamp & ((1L << LOGICAL_BITS) - 1));
    }

    private static void requireValid(long timestamp) {
        if (timestamp < 0) {
            throw new IllegalArgumentException("a hybrid timestamp is never negative, was " + timestamp);
        }
    }
}
