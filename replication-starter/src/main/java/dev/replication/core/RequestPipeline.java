package dev.replication.core;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The append messages in flight to one follower (Request Pipeline): a bounded window, so a slow
 * or unreachable follower costs bounded memory and resending. Each slot remembers the last
 * index its message carried and when it was sent.
 */
final class RequestPipeline {

    private record Slot(long lastIndex, long bytes, long sentAtTick) {}

    private final int maxMessages;
    private final Deque<Slot> slots = new ArrayDeque<>();
    private long bytes;

    RequestPipeline(int maxMessages) {
        this.maxMessages = maxMessages;
    }

    boolean isFull() {
        return slots.size() >= maxMessages;
    }

    int size() {
        return slots.size();
    }

    long bytesInFlight() {
        return bytes;
    }

    void add(long lastIndex, long messageBytes, long nowTick) {
        slots.addLast(new Slot(lastIndex, messageBytes, nowTick));
        bytes += messageBytes;
    }

    /** The follower has matched up to {@code matchIndex}: messages it covers are done. */
    void acknowledgeUpTo(long matchIndex) {
        while (!slots.isEmpty() && slots.peekFirst().lastIndex() <= matchIndex) {
            bytes -= slots.removeFirst().bytes();
        }
    }

    /** Whether the oldest message has waited longer than {@code ticks} (likely lost). */
    boolean oldestOlderThan(long ticks, long nowTick) {
        return !slots.isEmpty() && nowTick - slots.peekFirst().sentAtTick() > ticks;
    }

    void clear() {
        slots.clear();
        bytes = 0;
    }
}
