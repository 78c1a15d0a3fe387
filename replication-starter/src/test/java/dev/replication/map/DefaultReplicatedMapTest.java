package dev.replication.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.IdempotentWrites;
import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.UpdateContentionException;
import dev.replication.api.ValueSerializationException;
import dev.replication.api.VersionConflictException;
import dev.replication.api.Versioned;
import dev.replication.runtime.ReplicationGateway;
import dev.replication.state.StateCommand;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class DefaultReplicatedMapTest {

    record Item(String name, int count) {}

    /** Serialization fails: Jackson calls the getter, which throws. */
    static final class Unserializable {
        public String getBoom() {
            throw new IllegalStateException("cannot be represented");
        }
    }

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final ReplicatedMapSettings SETTINGS =
            new ReplicatedMapSettings(Duration.ofMillis(200), Duration.ofMillis(200), 32);

    private final InProcessCluster cluster = new InProcessCluster(3);
    private final ReplicatedMap<String, Item> leader = items(0);
    private final ReplicatedMap<String, Item> follower = items(1);

    private ReplicatedMap<String, Item> items(int replica) {
        return map(replica, Item.class, SETTINGS);
    }

    private <V> ReplicatedMap<String, V> map(int replica, Type valueType, ReplicatedMapSettings settings) {
        return new DefaultReplicatedMap<>(
                "inventory",
                String.class,
                valueType,
                MAPPER,
                cluster.gateway(replica),
                cluster.replica(replica),
                settings);
    }

    @Test
    void aWriteIsReadableOnTheNodeThatWroteItAsSoonAsItReturns() {
        follower.put("apple", new Item("apple", 3));

        assertThat(follower.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void putReturnsThePreviousValue() {
        leader.put("apple", new Item("apple", 3));

        assertThat(leader.put("apple", new Item("apple", 4))).isEqualTo(new Item("apple", 3));
    }

    @Test
    void aLocalReadOnALaggingFollowerIsStaleUntilALinearizableReadCatchesUp() {
        leader.put("apple", new Item("apple", 3));
        ReplicatedMap<String, Item> lagging = items(2);

        assertThat(lagging.get("apple")).isNull();
        assertThat(lagging.read(ReadConsistency.LINEARIZABLE).get("apple")).isEqualTo(new Item("apple", 3));
        assertThat(lagging.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void putVersionedAnswersWithTheLogIndexAndTheLeadersTimestamp() {
        leader.put("pear", new Item("pear", 1));

        Versioned<Item> written = leader.putVersioned("apple", new Item("apple", 3));

        assertThat(written.version()).isEqualTo(2);
        assertThat(written.writtenAt())
                .isCloseTo(
                        java.time.Instant.now(),
                        org.assertj.core.api.Assertions.within(10, java.time.temporal.ChronoUnit.SECONDS));
        assertThat(leader.getVersioned("apple")).isEqualTo(written);
    }

    @Test
    void putIfVersionZeroCreatesOnlyWhenAbsent() {
        Versioned<Item> created = leader.putIfVersion("apple", new Item("apple", 3), 0);

        assertThatThrownBy(() -> leader.putIfVersion("apple", new Item("apple", 9), 0))
                .isInstanceOfSatisfying(VersionConflictException.class, conflict -> {
                    assertThat(conflict.currentVersion()).isEqualTo(created.version());
                    assertThat(conflict.expectedVersion()).isZero();
                })
                .hasMessageContaining("key 'apple' is at version 1, not the expected 0")
                .hasMessageContaining("retry with its version");
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void putIfVersionWithTheCurrentVersionReplacesTheValue() {
        Versioned<Item> first = leader.putVersioned("apple", new Item("apple", 3));

        Versioned<Item> second = follower.putIfVersion("apple", new Item("apple", 4), first.version());

        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(follower.get("apple")).isEqualTo(new Item("apple", 4));
    }

    @Test
    void removeIfVersionRemovesOnlyTheExpectedVersion() {
        Versioned<Item> first = leader.putVersioned("apple", new Item("apple", 3));
        leader.put("apple", new Item("apple", 4));

        assertThatThrownBy(() -> leader.removeIfVersion("apple", first.version()))
                .isInstanceOf(VersionConflictException.class);
        assertThat(leader.removeIfVersion("apple", leader.getVersioned("apple").version()))
                .isEqualTo(new Item("apple", 4));
        assertThat(leader.containsKey("apple")).isFalse();
    }

    @Test
    void putIfAbsentOnALaggingFollowerAnswersWithTheValueAlreadyInTheLog() {
        leader.put("apple", new Item("apple", 3));
        ReplicatedMap<String, Item> lagging = items(2);

        Item present = lagging.putIfAbsent("apple", new Item("apple", 99));

        assertThat(present).isEqualTo(new Item("apple", 3));
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void replaceOnALaggingFollowerReplacesAValueItHasNotSeenYet() {
        leader.put("apple", new Item("apple", 3));
        ReplicatedMap<String, Item> lagging = items(2);

        Item previous = lagging.replace("apple", new Item("apple", 4));

        assertThat(previous).isEqualTo(new Item("apple", 3));
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 4));
    }

    @Test
    void replaceOfAnAbsentKeyWritesNothing() {
        assertThat(leader.replace("apple", new Item("apple", 4))).isNull();
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void replaceWithAnExpectedValueSwapsOnlyThatValue() {
        leader.put("apple", new Item("apple", 3));

        assertThat(follower.replace("apple", new Item("apple", 9), new Item("apple", 5)))
                .isFalse();
        assertThat(follower.replace("apple", new Item("apple", 3), new Item("apple", 5)))
                .isTrue();
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 5));
    }

    @Test
    void removeWithAnExpectedValueRemovesOnlyThatValue() {
        leader.put("apple", new Item("apple", 3));

        assertThat(follower.remove("apple", new Item("apple", 9))).isFalse();
        assertThat(follower.remove("apple", new Item("apple", 3))).isTrue();
        assertThat(leader.containsKey("apple")).isFalse();
    }

    @Test
    void computeIfAbsentOnALaggingFollowerKeepsAndAnswersTheValueAlreadyInTheLog() {
        leader.put("apple", new Item("apple", 3));
        ReplicatedMap<String, Item> lagging = items(2);

        Item result = lagging.computeIfAbsent("apple", key -> new Item(key, 1));

        assertThat(result).isEqualTo(new Item("apple", 3));
        assertThat(leader.getVersioned("apple").version()).isEqualTo(1);
    }

    @Test
    void computeIfAbsentDoesNotCallTheFunctionForAKeyPresentLocally() {
        leader.put("apple", new Item("apple", 3));
        AtomicInteger calls = new AtomicInteger();

        leader.computeIfAbsent("apple", key -> {
            calls.incrementAndGet();
            return new Item(key, 1);
        });

        assertThat(calls).hasValue(0);
    }

    @Test
    void computeReturningNullRemovesTheKey() {
        leader.put("apple", new Item("apple", 3));

        assertThat(follower.compute("apple", (key, current) -> null)).isNull();
        assertThat(leader.containsKey("apple")).isFalse();
    }

    @Test
    void computeIfPresentChangesOnlyAPresentKey() {
        leader.put("apple", new Item("apple", 3));

        follower.computeIfPresent("apple", (key, current) -> new Item(key, current.count() + 1));
        follower.computeIfPresent("pear", (key, current) -> new Item(key, 100));

        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 4));
        assertThat(leader.containsKey("pear")).isFalse();
    }

    @Test
    void mergeCombinesWithThePresentValue() {
        ReplicatedMap<String, Integer> counters = map(1, Integer.class, SETTINGS);

        counters.merge("visits", 1, Integer::sum);
        counters.merge("visits", 1, Integer::sum);

        assertThat(counters.get("visits")).isEqualTo(2);
    }

    @Test
    void concurrentComputeFromSeveralNodesAndThreadsLosesNoUpdate() throws Exception {
        ReplicatedMapSettings patient = new ReplicatedMapSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), 10_000);
        int threads = 6;
        int incrementsPerThread = 50;
        CompletableFuture<?>[] workers = new CompletableFuture<?>[threads];
        for (int t = 0; t < threads; t++) {
            ReplicatedMap<String, Integer> counters = map(t % 3, Integer.class, patient);
            workers[t] = CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < incrementsPerThread; i++) {
                            counters.compute("hits", (key, current) -> current == null ? 1 : current + 1);
                        }
                    },
                    runnable -> new Thread(runnable).start());
        }
        CompletableFuture.allOf(workers).get(60, java.util.concurrent.TimeUnit.SECONDS);

        ReplicatedMap<String, Integer> reader = map(2, Integer.class, patient);
        assertThat(reader.read(ReadConsistency.LINEARIZABLE).get("hits")).isEqualTo(threads * incrementsPerThread);
    }

    @Test
    void anUpdateThatLosesEveryCompareAndSetGivesUpWithAContentionError() {
        ReplicationGateway meddling = new ReplicationGateway() {
            private final ReplicationGateway real = cluster.gateway(1);

            @Override
            public CompletableFuture<byte[]> submit(byte[] command, String idempotencyKey, Duration timeout) {
                // Another client always writes the key just before this one's compare-and-set.
                cluster.appendFromElsewhere(new StateCommand.Put(
                                "inventory",
                                "hits".getBytes(StandardCharsets.UTF_8),
                                "7".getBytes(StandardCharsets.UTF_8))
                        .encode());
                return real.submit(command, idempotencyKey, timeout);
            }

            @Override
            public CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minIndex, Duration timeout) {
                return real.readBarrier(consistency, minIndex, timeout);
            }
        };
        ReplicatedMap<String, Integer> contended = new DefaultReplicatedMap<>(
                "inventory",
                String.class,
                Integer.class,
                MAPPER,
                meddling,
                cluster.replica(1),
                new ReplicatedMapSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 3));

        assertThatThrownBy(() -> contended.merge("hits", 1, Integer::sum))
                .isInstanceOfSatisfying(
                        UpdateContentionException.class,
                        contention -> assertThat(contention.attempts()).isEqualTo(3))
                .hasMessageContaining("key 'hits' changed concurrently on each of 3 compare-and-set attempts");
        assertThat(contended.get("hits")).isEqualTo(7);
    }

    @Test
    void aValueThatCannotBeSerializedFailsTheCallAndSendsNothing() {
        ReplicatedMap<String, Unserializable> broken = map(1, Unserializable.class, SETTINGS);

        assertThatThrownBy(() -> broken.put("x", new Unserializable()))
                .isInstanceOf(ValueSerializationException.class)
                .hasMessageContaining("replicated map 'inventory' could not serialize a value")
                .hasMessageContaining("nothing was written");
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void bulkViewsAreSnapshotsThatRefuseChangesAndPointToTheMap() {
        leader.put("apple", new Item("apple", 3));
        Set<String> keys = leader.keySet();
        Collection<Item> values = leader.values();
        Set<Map.Entry<String, Item>> entries = leader.entrySet();

        leader.put("pear", new Item("pear", 1));

        assertThat(keys).containsExactly("apple");
        assertThatThrownBy(() -> keys.remove("apple"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("keySet() of replicated map 'inventory' is a read-only snapshot; write through the map"
                        + " instead (put, remove, compute, ...)");
        assertThatThrownBy(() -> values.clear())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("values() of replicated map 'inventory' is a read-only snapshot");
        assertThatThrownBy(() -> entries.iterator().next().setValue(new Item("apple", 0)))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("write through the map");
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void scanListsStringKeysByPrefixInOrder() {
        leader.put("fruit/pear", new Item("pear", 1));
        leader.put("fruit/apple", new Item("apple", 2));
        leader.put("veg/leek", new Item("leek", 3));

        assertThat(leader.scan("fruit/").keySet()).containsExactly("fruit/apple", "fruit/pear");
    }

    @Test
    void scanIsRefusedForNonStringKeys() {
        ReplicatedMap<Integer, Item> byNumber = new DefaultReplicatedMap<>(
                "numbers", Integer.class, Item.class, MAPPER, cluster.gateway(0), cluster.replica(0), SETTINGS);
        byNumber.put(7, new Item("seven", 7));

        assertThat(byNumber.get(7)).isEqualTo(new Item("seven", 7));
        assertThatThrownBy(() -> byNumber.scan("7"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("does not have String keys");
    }

    @Test
    void genericValueTypesRoundTrip() {
        Type listOfItems = new TypeReference<java.util.List<Item>>() {}.getType();
        ReplicatedMap<String, java.util.List<Item>> baskets = map(0, listOfItems, SETTINGS);

        baskets.put("b1", java.util.List.of(new Item("apple", 1), new Item("pear", 2)));

        assertThat(baskets.get("b1")).containsExactly(new Item("apple", 1), new Item("pear", 2));
    }

    @Test
    void anIdempotentWriteRetriedThroughAnotherNodeIsAppliedOnceAndAnsweredTheSame() {
        leader.put("apple", new Item("apple", 1));

        Versioned<Item> first = follower.withIdempotencyKey("req-42").putVersioned("apple", new Item("apple", 2));
        leader.put("apple", new Item("apple", 3));
        Versioned<Item> retry = items(2).withIdempotencyKey("req-42").putVersioned("apple", new Item("apple", 2));

        assertThat(retry).isEqualTo(first);
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void anIdempotencyKeyReusedForADifferentRequestIsRefused() {
        follower.withIdempotencyKey("req-42").putVersioned("apple", new Item("apple", 2));

        assertThatThrownBy(() -> follower.withIdempotencyKey("req-42").putVersioned("apple", new Item("apple", 5)))
                .isInstanceOfSatisfying(
                        IdempotencyKeyConflictException.class,
                        conflict -> assertThat(conflict.idempotencyKey()).isEqualTo("req-42"))
                .hasMessageContaining("idempotency key 'req-42' was already used for a different request")
                .hasMessageContaining("Use a new idempotency key");
        assertThat(leader.get("apple")).isEqualTo(new Item("apple", 2));
    }

    @Test
    void equalMapValuesAreEqualRequestsWhateverTheirInsertionOrder() {
        Type mapOfInts = new TypeReference<Map<String, Integer>>() {}.getType();
        ReplicatedMap<String, Map<String, Integer>> settings = map(1, mapOfInts, SETTINGS);
        Map<String, Integer> ab = new LinkedHashMap<>();
        ab.put("a", 1);
        ab.put("b", 2);
        Map<String, Integer> ba = new LinkedHashMap<>();
        ba.put("b", 2);
        ba.put("a", 1);

        settings.withIdempotencyKey("req-7").putVersioned("limits", ab);
        settings.withIdempotencyKey("req-7").putVersioned("limits", ba);

        assertThat(settings.get("limits")).isEqualTo(new HashMap<>(ab));
        assertThat(settings.getVersioned("limits").version()).isEqualTo(1);
    }

    @Test
    void aWriteThatCertainlyDidNotEnterTheLogFailsAsNotApplied() {
        cluster.loseQuorum();

        assertThatThrownBy(() -> follower.put("apple", new Item("apple", 1)))
                .isInstanceOf(NotAppliedException.class)
                .hasMessageContaining("retry when a leader is elected");
    }

    @Test
    void aWriteWithoutAnAnswerInTimeFailsAsOutcomeUnknown() {
        cluster.goSilent();

        assertThatThrownBy(() -> follower.put("apple", new Item("apple", 1)))
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining("got no answer within PT0.2S; it may still be applied")
                .hasMessageContaining("retry with an idempotency key");
    }

    @Test
    void aLinearizableReadThatCannotBeConfirmedFailsAsUnavailable() {
        cluster.loseQuorum();

        assertThatThrownBy(() -> follower.read(ReadConsistency.LINEARIZABLE).get("apple"))
                .isInstanceOf(ReplicationUnavailableException.class)
                .hasMessageContaining("could not be read at LINEARIZABLE within PT0.2S")
                .hasMessageContaining("read at STALE if an older value is acceptable");
    }

    @Test
    void aStaleReadIsServedWithoutTheCluster() {
        leader.put("apple", new Item("apple", 3));
        cluster.loseQuorum();

        assertThat(leader.read(ReadConsistency.STALE).get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void aNullValueIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> leader.put("apple", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("does not accept a null value");
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void anIdempotentCompareAndSetRetriedAfterItsConflictIsGoneStillAnswersTheConflict() {
        leader.put("apple", new Item("apple", 1));
        assertThatThrownBy(() ->
                        follower.withIdempotencyKey("create-apple").putIfVersion("apple", new Item("apple", 2), 0))
                .isInstanceOf(VersionConflictException.class);
        leader.remove("apple");

        assertThatThrownBy(() ->
                        follower.withIdempotencyKey("create-apple").putIfVersion("apple", new Item("apple", 2), 0))
                .isInstanceOfSatisfying(
                        VersionConflictException.class,
                        conflict -> assertThat(conflict.currentVersion()).isEqualTo(1));
        assertThat(leader.containsKey("apple")).isFalse();
    }

    @Test
    void anIdempotentRemoveRetriedAnswersThatItRemovedAValue() {
        leader.put("apple", new Item("apple", 1));

        boolean removed = follower.withIdempotencyKey("rm-1").remove("apple");
        boolean retried = follower.withIdempotencyKey("rm-1").remove("apple");

        assertThat(removed).isTrue();
        assertThat(retried).isTrue();
        assertThat(follower.withIdempotencyKey("rm-2").remove("apple"))
                .as("absent by now")
                .isFalse();
    }

    @Test
    void anIdempotentPutAnswersTheVersionOfItsWriteTheSameWhenRetried() {
        leader.put("apple", new Item("apple", 1));

        Versioned<Item> first = follower.withIdempotencyKey("put-1").putVersioned("apple", new Item("apple", 2));
        Versioned<Item> retried = follower.withIdempotencyKey("put-1").putVersioned("apple", new Item("apple", 2));

        assertThat(retried).isEqualTo(first);
        assertThat(leader.getVersioned("apple").version()).isEqualTo(first.version());
    }

    @Test
    void anIdempotencyKeyOverTheLimitIsRefusedBeforeAnythingIsSent() {
        String tooLong = "k".repeat(IdempotentWrites.MAX_KEY_BYTES + 1);

        assertThatThrownBy(() -> follower.withIdempotencyKey(tooLong))
                .isInstanceOfSatisfying(
                        EntryTooLargeException.class,
                        tooLarge -> assertThat(tooLarge.size()).isEqualTo(IdempotentWrites.MAX_KEY_BYTES + 1))
                .hasMessageContaining("an idempotency key of 257 bytes (UTF-8) is over the limit of 256");
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void aBlankIdempotencyKeyIsRefused() {
        assertThatThrownBy(() -> leader.withIdempotencyKey(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an idempotency key must not be blank");
    }

    @Test
    void putAllAndClearWriteEachKey() {
        follower.putAll(Map.of("apple", new Item("apple", 1), "pear", new Item("pear", 2)));
        assertThat(leader.size()).isEqualTo(2);

        leader.clear();

        assertThat(leader.isEmpty()).isTrue();
        assertThat(follower.read(ReadConsistency.LINEARIZABLE).snapshot()).isEmpty();
    }

    @Test
    void aMapEqualsAnOrdinaryMapWithTheSameEntries() {
        leader.put("apple", new Item("apple", 1));

        assertThat(leader).isEqualTo(Map.of("apple", new Item("apple", 1)));
        assertThat(leader.toString()).isEqualTo("ReplicatedMap[inventory, 1 entries at index 1]");
    }

    @Test
    void aProposalReSentAfterALeaderChangeIsAppliedOnce() {
        leader.put("apple", new Item("apple", 1));
        cluster.duplicateNextAppend();

        Item previous = follower.put("apple", new Item("apple", 2));

        assertThat(cluster.logSize()).isEqualTo(3);
        assertThat(previous).isEqualTo(new Item("apple", 1));
        assertThat(leader.getVersioned("apple").version()).isEqualTo(2);
    }
}
