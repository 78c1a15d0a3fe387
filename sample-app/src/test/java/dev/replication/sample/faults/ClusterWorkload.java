package dev.replication.sample.faults;

import dev.replication.testsupport.history.History;
import dev.replication.testsupport.history.OperationRecord;
import dev.replication.testsupport.history.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients doing linearizable reads, writes, compare-and-sets and deletes over a few
 * keys, each client sending its requests to the nodes in turn, until stopped. Every value written
 * is unique ({@code client-sequence}), so a read names the write it saw.
 */
final class ClusterWorkload {

    private final History history = new History();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> clients = new ArrayList<>();
    private final List<String> keys;

    ClusterWorkload(List<String> baseUrls, List<String> keys, int clientCount, long seed) {
        this.keys = keys;
        for (int i = 0; i < clientCount; i++) {
            String name = "c" + i;
            KeyValueClient client = new KeyValueClient(name, history, baseUrls, i, unexpected);
            SplittableRandom random = new SplittableRandom(seed + i);
            clients.add(new Thread(() -> run(name, client, random), "fault-test-client-" + name));
        }
    }

    void start() {
        clients.forEach(Thread::start);
    }

    /** Stops the clients and waits for their last requests to end (each is bounded by its timeout). */
    void stop() throws InterruptedException {
        running.set(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread client : clients) {
            client.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    History history() {
        return history;
    }

    /** Answers other than the documented ones (for example a 500); each is a bug to look at. */
    List<String> unexpectedAnswers() {
        return List.copyOf(unexpected);
    }

    long count(Outcome outcome) {
        return history.operations().stream()
                .map(OperationRecord::outcome)
                .filter(outcome::equals)
                .count();
    }

    private void run(String name, KeyValueClient client, SplittableRandom random) {
        AtomicLong sequence = new AtomicLong();
        while (running.get()) {
            try {
                step(name, client, random, sequence);
            } catch (RuntimeException e) {
                // The operation in progress stays "unknown" in the history; the client carries on.
                unexpected.add(name + ": " + e);
            }
        }
    }

    /** One operation; values come from {@code sequence}, so none is written twice even after a failure. */
    private void step(String name, KeyValueClient client, SplittableRandom random, AtomicLong sequence) {
        String key = keys.get(random.nextInt(keys.size()));
        int choice = random.nextInt(100);
        if (choice < 45) {
            client.read(key);
        } else if (choice < 75) {
            client.write(key, name + "-" + sequence.incrementAndGet());
        } else if (choice < 95) {
            KeyValueClient.ReadResult seen = client.read(key);
            if (seen != null) {
                client.compareAndSet(key, seen, name + "-" + sequence.incrementAndGet());
            }
        } else {
            client.delete(key);
        }
    }
}
