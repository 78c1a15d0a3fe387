package dev.replication.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class HybridClockPropertyTest {

    @Property
    void ticksStrictlyIncreaseWhateverTheWallClockDoes(
            @ForAll @Size(min = 1, max = 200) List<@LongRange(min = 0, max = 10_000_000_000_000L) Long> wallClock) {
        HybridClock clock = new HybridClock();
        long previous = -1;
        for (long now : wallClock) {
            long timestamp = clock.tick(now);
            assertThat(timestamp).isGreaterThan(previous);
            assertThat(HybridClock.physicalMillis(timestamp)).isGreaterThanOrEqualTo(now);
            previous = timestamp;
        }
    }

    @Property
    void aTickExceedsEveryObservedTimestamp(
            @ForAll @LongRange(min = 0, max = 10_000_000_000_000L) long remoteMillis,
            @ForAll @LongRange(min = 0, max = 10_000_000_000_000L) long now) {
        HybridClock clock = new HybridClock();
        long remote = HybridClock.timestamp(remoteMillis, 3);

        clock.observe(remote);

        assertThat(clock.tick(now)).isGreaterThan(remote);
    }
}
