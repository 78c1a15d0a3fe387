package dev.replication.runtime;

import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

final class TickSource implements Runnable {
    private final BooleanSupplier queueTick;

    TickSource(String nodeId, long intervalMillis, long electionTimeoutMillis, BooleanSupplier queueTick,
            LongSupplier nanoClock, LongConsumer onPause) {
        this.queueTick = queueTick;
    }

    @Override
    public void run() {
        queueTick.getAsBoolean();
    }

    void taken() {
    }
}
