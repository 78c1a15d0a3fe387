package dev.replication.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class VersionedTest {

    @Test
    void writtenAtIsTheWallClockPartOfTheHybridTimestamp() {
        long millis = Instant.parse("2026-11-23T18:00:00Z").toEpochMilli();
        Versioned<String> versioned = new Versioned<>("v", 3, (millis << 16) | 5);

        assertThat(versioned.writtenAt()).isEqualTo(Instant.parse("2026-11-23T18:00:00Z"));
    }

    @Test
    void aVersionedValueIsNeverNull() {
        assertThatThrownBy(() -> new Versioned<>(null, 3, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an absent key has no Versioned");
    }

    @Test
    void aVersionIsALogIndexSoAtLeastOne() {
        assertThatThrownBy(() -> new Versioned<>("v", 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version is a log index (>= 1), was 0");
    }
}
