package dev.replication.bench;

import dev.replication.log.FileLayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The disk's own limit, measured in the same run as {@link WalAppendBenchmark}: append one
 * record-sized write to a file and force it (the same {@link FileLayer} the log uses), one
 * thread. One operation = one write + one fsync; a single durable append cannot be faster.
 */
@State(Scope.Thread)
public class RawFsyncProbe {

    @Param({"128", "1024"})
    int payloadBytes;

    private Path file;
    private FileLayer.FileHandle handle;
    private ByteBuffer record;
    private long position;

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path base = Path.of(System.getProperty("bench.dir", "target"));
        Files.createDirectories(base);
        file = Files.createTempFile(base, "fsync-probe-", ".bin");
        handle = FileLayer.system().open(file, false);
        record = ByteBuffer.allocate(payloadBytes + 25);
    }

    private long iterationStartNanos;
    private long iterationStartPosition;

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationStartNanos = System.nanoTime();
        iterationStartPosition = position;
    }

    @TearDown(Level.Iteration)
    public void reportIteration() {
        double seconds = (System.nanoTime() - iterationStartNanos) / 1e9;
        long forces = (position - iterationStartPosition) / record.capacity();
        System.out.printf("%n[raw] payload=%dB write+fsync/s=%.0f%n", payloadBytes, forces / seconds);
    }

    @Benchmark
    public long writeAndForce() throws IOException {
        record.clear();
        handle.write(record, position);
        position += record.capacity();
        handle.force();
        return position;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        handle.close();
        Files.deleteIfExists(file);
    }
}
