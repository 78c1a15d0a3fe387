package dev.replication.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replication.core.LogEntry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process appends with durable acknowledgements and is killed with SIGKILL at random
 * moments (sometimes while it is still recovering); after every kill the log is reopened and
 * every acknowledged record must be there, intact. Default 50 cycles, {@code -Dcrash.cycles=N}
 * for more. (This shows recovery copes with real torn writes; the lost-fsync cases that a
 * SIGKILL cannot show are covered with {@link CrashSimulatingFileLayer}.)
 */
class SigkillCrashTest {

    private static final int CYCLES = Integer.getInteger("crash.cycles", 50);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordSurvivesRepeatedSigkills() throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        long totalAcknowledged = 0;
        long highestAcknowledged = 0;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            List<long[]> acknowledged = new ArrayList<>();
            runAndKill(random, acknowledged);
            try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
                for (long[] range : acknowledged) {
                    assertThat(log.lastIndex())
                            .as("cycle %d (seed %d): acknowledged index %d must survive", cycle, seed, range[1])
                            .isGreaterThanOrEqualTo(range[1]);
                    for (long index = range[0]; index <= range[1]; index++) {
                        assertThat(log.entry(index))
                                .as("cycle %d (seed %d): record %d", cycle, seed, index)
                                .isEqualTo(AcknowledgingAppender.entryAt(index));
                    }
                    highestAcknowledged = Math.max(highestAcknowledged, range[1]);
                }
                totalAcknowledged += acknowledged.size();
            }
        }
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
            List<LogEntry> all = log.entries(1, log.lastIndex(), Long.MAX_VALUE);
            for (LogEntry entry : all) {
                assertThat(entry).isEqualTo(AcknowledgingAppender.entryAt(entry.index()));
            }
            assertThat(log.lastIndex()).isGreaterThanOrEqualTo(highestAcknowledged);
        }
        assertThat(totalAcknowledged)
                .as("the child must have acknowledged appends at all")
                .isPositive();
    }

    private void runAndKill(Random random, List<long[]> acknowledged) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx96m",
                        "-Dlogback.configurationFile=none",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AcknowledgingAppender.class.getName(),
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        CountDownLatch ready = new CountDownLatch(1);
        // The kill moment: after a random number of acknowledgements, so it lands anywhere in the
        // write / fsync / acknowledge cycle; sometimes before the child has even finished recovery.
        boolean killDuringStartup = random.nextInt(5) == 0;
        CountDownLatch acksBeforeKill = new CountDownLatch(1 + random.nextInt(400));
        Thread reader = new Thread(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("READY")) {
                        ready.countDown();
                    } else if (line.startsWith("ACK ")) {
                        String[] parts = line.split(" ");
                        synchronized (acknowledged) {
                            acknowledged.add(new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])});
                        }
                        acksBeforeKill.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // The pipe closes when the child dies; a line cut by the kill was never complete.
            }
        });
        reader.start();
        if (killDuringStartup) {
            ready.await(50 + random.nextInt(400), TimeUnit.MILLISECONDS);
        } else {
            assertThat(ready.await(30, TimeUnit.SECONDS))
                    .as("the child opened the log")
                    .isTrue();
            assertThat(acksBeforeKill.await(30, TimeUnit.SECONDS))
                    .as("the child acknowledged appends")
                    .isTrue();
        }
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join();
    }
}
