package dev.replication.sample;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What the soak clients saw besides the history: answers by status, replays, oversized puts, the slowest request. */
final class SoakTally {

    private final Map<String, AtomicInteger> answers = new ConcurrentSkipListMap<>();
    private final Map<Integer, AtomicInteger> oversized = new ConcurrentSkipListMap<>();
    private final Map<String, Long> highestAcknowledgedVersion = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> appliedTwice = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> attempts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> retries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger replays = new AtomicInteger();
    private final AtomicLong slowestNanos = new AtomicLong();

    void answered(int status, long nanos) {
        count(answers, Integer.toString(status));
        slowestNanos.accumulateAndGet(nanos, Math::max);
    }

    /** No HTTP answer: {@code why} is refused, timed out, broken or interrupted. */
    void unanswered(String why, long nanos) {
        count(answers, why);
        slowestNanos.accumulateAndGet(nanos, Math::max);
    }

    void acknowledged(String key, long version) {
        highestAcknowledgedVersion.merge(key, version, Math::max);
    }

    /** A replay of an acknowledged put with the same idempotency key that was answered 200. */
    void replayed(String key, String value, long firstVersion, long replayVersion) {
        replays.incrementAndGet();
        if (replayVersion != firstVersion) {
            appliedTwice.add(
                    key + "=" + value + ": version " + firstVersion + ", replay answered version " + replayVersion);
        }
    }

    /** The status an oversized put got; 0 when it got no HTTP answer. */
    void oversized(int status) {
        count(oversized, status);
    }

    /** One request and its answer, in the order they ended, for reading a violation. */
    void attempt(String trail) {
        attempts.add(trail);
    }

    List<String> attempts() {
        return List.copyOf(attempts);
    }

    /** A put retried after an unknown outcome: its two answers, for reading a violation. */
    void retried(String trail) {
        retries.add(trail);
    }

    List<String> retries() {
        return List.copyOf(retries);
    }

    void unexpected(String answer) {
        unexpected.add(answer);
    }

    Map<String, Long> highestAcknowledgedVersion() {
        return Map.copyOf(highestAcknowledgedVersion);
    }

    Map<Integer, AtomicInteger> oversizedByStatus() {
        return oversized;
    }

    List<String> unexpectedAnswers() {
        return List.copyOf(unexpected);
    }

    List<String> replaysThatAppliedTwice() {
        return List.copyOf(appliedTwice);
    }

    long slowestMillis() {
        return TimeUnit.NANOSECONDS.toMillis(slowestNanos.get());
    }

    String summary() {
        return "answers " + answers + "; oversized puts by status " + oversized + "; " + replays
                + " acknowledged puts replayed with the same Idempotency-Key; slowest request " + slowestMillis()
                + " ms";
    }

    private static <K> void count(Map<K, AtomicInteger> counts, K key) {
        counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }
}
