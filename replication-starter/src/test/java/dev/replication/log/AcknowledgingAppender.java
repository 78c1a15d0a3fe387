package dev.replication.log;

import dev.replication.core.LogEntry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The child process of {@link SigkillCrashTest}: opens the log (recovering it), then appends
 * from several threads with {@link FsyncPolicy#ALWAYS} and prints {@code ACK first last} for
 * every append whose future completed, until it is killed. Payloads are a function of the
 * index so the parent can check every record it reads back.
 */
public final class AcknowledgingAppender {

    static final int THREADS = 4;
    static final int MAX_RUN_MILLIS = 20_000;

    private AcknowledgingAppender() {}

    static int payloadSize(long index) {
        return 16 + (int) (index % 300);
    }

    static LogEntry entryAt(long index) {
        return LogFixtures.entry(1, index, payloadSize(index));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PrintStream out = System.out;
        SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withSegmentBytes(256 * 1024));
        synchronized (out) {
            out.println("READY " + log.lastIndex());
            out.flush();
        }
        Object indexLock = new Object();
        long[] next = {log.lastIndex() + 1};
        long deadline = System.currentTimeMillis() + MAX_RUN_MILLIS;
        Runnable appender = () -> {
            while (System.currentTimeMillis() < deadline) {
                CompletableFuture<Long> done;
                long first;
                synchronized (indexLock) {
                    first = next[0];
                    int count = 1 + (int) (first % 3);
                    List<LogEntry> entries = new java.util.ArrayList<>();
                    for (int k = 0; k < count; k++) {
                        entries.add(entryAt(first + k));
                    }
                    done = log.append(entries);
                    next[0] = first + count;
                }
                long last = done.join();
                synchronized (out) {
                    out.println("ACK " + first + " " + last);
                    out.flush();
                }
            }
        };
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            threads[t] = new Thread(appender, "appender-" + t);
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        log.close();
    }
}
