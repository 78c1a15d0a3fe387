package dev.replication.state;

import dev.replication.core.EntryType;
import dev.replication.core.LogEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A reproducible stream of committed entries that exercises everything a checkpoint must carry:
 * puts, compare-and-sets and deletes over several maps, client sessions with retries and
 * acknowledgements, idempotency keys reused with the same or another body, limits small enough
 * that keys and sessions expire and are evicted, NOOP and CONFIGURATION entries, and generations
 * that grow.
 */
public final class RandomLog {

    /** Small bounds, so expiry and eviction happen within a few hundred entries. */
    public static final IdempotencyLimits LIMITS =
            new IdempotencyLimits(Duration.ofMinutes(30), 25, IdempotencyLimits.MIN_SESSION_BYTES);

    private static final String[] MAPS = {"inventory", "orders", "users"};

    private final Random random;
    private final List<LogEntry> sent = new ArrayList<>();
    private final long[] sequences = new long[6];
    private long nextIndex;
    private long generation = 1;
    private long nowMillis = 1_700_000_000_000L;

    public RandomLog(long seed) {
        this(seed, 1);
    }

    /** Continues a log at {@code firstIndex}. */
    public RandomLog(long seed, long firstIndex) {
        this.random = new Random(seed);
        this.nextIndex = firstIndex;
    }

    /** The next {@code count} committed entries. */
    public List<LogEntry> next(int count) {
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(next());
        }
        return entries;
    }

    public LogEntry next() {
        if (random.nextInt(50) == 0) {
            generation++;
        }
        // Mostly seconds apart, so keys outnumber the bound; now and then a gap that expires sessions.
        nowMillis += random.nextInt(100) == 0 ? 40 * 60_000 : random.nextInt(20_000);
        int kind = random.nextInt(40);
        LogEntry entry;
        if (kind == 0) {
            entry = LogEntry.noop(generation, nextIndex);
        } else if (kind == 1) {
            entry = new LogEntry(generation, nextIndex, EntryType.CONFIGURATION, bytes("voters n1,n2,n" + nextIndex));
        } else if (kind < 5 && !sent.isEmpty()) {
            // A retry of an earlier proposal, re-sent as the same envelope.
            LogEntry earlier = sent.get(random.nextInt(sent.size()));
            entry = LogEntry.command(generation, nextIndex, stamp(CommandEnvelope.decode(earlier.payload())));
        } else {
            entry = LogEntry.command(generation, nextIndex, stamp(newEnvelope()));
            sent.add(entry);
        }
        nextIndex++;
        return entry;
    }

    private CommandEnvelope newEnvelope() {
        byte[] command = command().encode();
        int client = random.nextInt(sequences.length + 1);
        String idempotencyKey = random.nextInt(3) == 0 ? "order-" + random.nextInt(60) : null;
        if (client == sequences.length) {
            return CommandEnvelope.create("", 0, 0, idempotencyKey, command);
        }
        long sequence = ++sequences[client];
        long firstUnacknowledged = Math.max(1, sequence - random.nextInt(12));
        return CommandEnvelope.create("client-" + client, sequence, firstUnacknowledged, idempotencyKey, command);
    }

    private StateCommand command() {
        String map = MAPS[random.nextInt(MAPS.length)];
        byte[] key = bytes("key-" + random.nextInt(40));
        // Some large values, so the session byte bound is reached.
        byte[] value = new byte[random.nextInt(8) == 0 ? 4_000 + random.nextInt(4_000) : random.nextInt(40)];
        random.nextBytes(value);
        int kind = random.nextInt(10);
        if (kind < 5) {
            return new StateCommand.Put(map, key, value);
        } else if (kind < 7) {
            return new StateCommand.PutIfVersion(map, key, value, random.nextInt(3) == 0 ? 0 : nextIndex - 1);
        } else if (kind < 9) {
            return new StateCommand.Delete(map, key);
        }
        return new StateCommand.DeleteIfVersion(map, key, 1 + random.nextInt(Math.toIntExact(nextIndex)));
    }

    private byte[] stamp(CommandEnvelope envelope) {
        return CommandEnvelope.stamp(envelope.encode(), HybridClock.timestamp(nowMillis, 0), LIMITS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
