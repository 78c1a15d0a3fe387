package dev.replication.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HybridClockTest {

    @Test
    void tickFollowsTheWallClockWhenItMovesAhead() {
        HybridClock clock = new HybridClock();

        long first = clock.tick(1_000);
        long second = clock.tick(2_000);

        assertThat(HybridClock.physicalMillis(first)).isEqualTo(1_000);
        assertThat(HybridClock.physicalMillis(second)).isEqualTo(2_000);
        assertThat(HybridClock.logical(second)).isZero();
    }

    @Test
    void tickWithinTheSameMillisecondAdvancesTheLogicalCounter() {
        HybridClock clock = new HybridClock();

        long first = clock.tick(1_000);
        long second = clock.tick(1_000);

        assertThat(second).isGreaterThan(first);
        assertThat(HybridClock.physicalMillis(second)).isEqualTo(1_000);
        assertThat(HybridClock.logical(second)).isEqualTo(1);
    }

    @Test
    void tickNeverGoesBackwardsWhenTheWallClockDoes() {
        HybridClock clock = new HybridClock();
        long before = clock.tick(5_000);

        long after = clock.tick(4_000);

        assertThat(after).isGreaterThan(before);
        assertThat(HybridClock.physicalMillis(after)).isEqualTo(5_000);
    }

    @Test
    void observedTimestampsFromAheadAreExceededByLaterTicks() {
        HybridClock clock = new HybridClock();
        long remote = HybridClock.timestamp(9_000, 7);

        clock.observe(remote);

        assertThat(clock.tick(1_000)).isGreaterThan(remote);
    }

    @Test
    void observingAnOlderTimestampChangesNothing() {
        HybridClock clock = new HybridClock();
        long issued = clock.tick(9_000);

        clock.observe(HybridClock.timestamp(1_000, 0));

        assertThat(clock.last()).isEqualTo(issued);
    }

    @Test
    void aFullLogicalCounterCarriesIntoTheNextMillisecond() {
        HybridClock clock = new HybridClock(HybridClock.timestamp(1_000, 65_535));

        long next = clock.tick(1_000);

        assertThat(HybridClock.physicalMillis(next)).isEqualTo(1_001);
        assertThat(HybridClock.logical(next)).isZero();
    }

    @Test
    void timestampsPackPhysicalAndLogicalParts() {
        long timestamp = HybridClock.timestamp(1_732_000_000_000L, 42);

        assertThat(HybridClock.physicalMillis(timestamp)).isEqualTo(1_732_000_000_000L);
        assertThat(HybridClock.logical(timestamp)).isEqualTo(42);
    }

    @Test
    void aLogicalCounterOutOfRangeIsRefused() {
        assertThatThrownBy(() -> HybridClock.timestamp(1, 65_536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logical counter must be in [0, 65535]");
    }
}
