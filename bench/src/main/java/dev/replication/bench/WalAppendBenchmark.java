package dev.replication.bench;

import dev.replication.core.LogEntry;
import dev.replication.log.LogOptions;
import dev.replication.log.SegmentedLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Durable appends to the write-ahead log (fsync policy ALWAYS) from as many threads as JMH's
 * {@code -t} says: each operation appends one record and waits until it is durable. After
 * every iteration it prints the fsyncs it took, so records per fsync (group commit) can be read
 * next to the throughput and latency JMH reports.
 */
@State(Scope.Benchmark)
public class WalAppendBenchmark {

    @Param({"128", "1024"})
    int payloadBytes;

    private final Object indexLock = new Object();
    private Path dir;
    private SegmentedLog log;
    private byte[] payload;
    private long nextIndex;
    private long iterationStartNanos;
    private long iterationStartIndex;
    private long iterationStartFsyncs;

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path base = Path.of(System.getProperty("bench.dir", "target"));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "wal-bench-");
        log = SegmentedLog.open(dir, LogOptions.defaults());
        payload = new byte[payloadBytes];
        nextIndex = log.lastIndex() + 1;
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationStartNanos = System.nanoTime();
        iterationStartIndex = log.durableIndex();
        iterationStartFsyncs = log.appendFsyncCount();
    }

    @Benchmark
    public long appendDurably() {
        CompletableFuture<Long> durable;
        synchronized (indexLock) {
            durable = log.append(List.of(LogEntry.command(1, nextIndex, payload)));
            nextIndex++;
        }
        return durable.join();
    }

    @TearDown(Level.Iteration)
    public void reportIteration() {
        double seconds = (System.nanoTime() - iterationStartNanos) / 1e9;
        long records = log.durableIndex() - iterationStartIndex;
        long fsyncs = log.appendFsyncCount() - iterationStartFsyncs;
        System.out.printf(
                "%n[wal] payload=%dB records=%d records/s=%.0f fsyncs=%d fsyncs/s=%.0f records/fsync=%.1f%n",
                payloadBytes,
                records,
                records / seconds,
                fsyncs,
                fsyncs / seconds,
                fsyncs == 0 ? 0.0 : (double) records / fsyncs);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
