package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TickSourceTest {

    private long nowNanos = TimeUnit.SECONDS.toNanos(100);
    private final List<Long> pauses = new ArrayList<>();
    private final List<String> queued = new ArrayList<>();
    private final TickSource ticks =
            new TickSource("n1", 50, 1_000, () -> queued.add("tick"), () -> nowNanos, pauses::add);

    @Test
    void aGapLongerThanTheElectionTimeoutIsReportedOnceWithItsLength() {
        fireAfter(0);
        fireAfter(50);

        fireAfter(2_395);
        fireAfter(1);

        assertThat(pauses).containsExactly(2_345L);
    }

    @Test
    void aGapShorterThanTheElectionTimeoutIsNotAPause() {
        fireAfter(0);

        fireAfter(900);

        assertThat(pauses).isEmpty();
    }

    @Test
    void aTickIsNotQueuedAgainWhileTheLastOneWaitsInTheQueue() {
        fireAfter(0);
        fireAfter(50);
        assertThat(queued).hasSize(1);

        ticks.taken();
        fireAfter(50);

        assertThat(queued).hasSize(2);
    }

    private void fireAfter(long millis) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(millis);
        ticks.run();
    }
}
