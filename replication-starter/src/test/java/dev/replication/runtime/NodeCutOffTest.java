package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.ReadConsistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node that never hears from a leader keeps nothing of the requests it already answered. */
class NodeCutOffTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration SHORT = Duration.ofMillis(200);

    final TestNode test = new TestNode();

    @AfterEach
    void stop() {
        test.close();
    }

    @Test
    void aNodeCutOffFromItsPeersForgetsTimedOutWritesAndReads() {
        ReplicationNode node = test.startFollower(1000);
        List<CompletableFuture<?>> requests = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            requests.add(node.submit(new byte[1000], null, SHORT));
            requests.add(node.readBarrier(ReadConsistency.LINEARIZABLE, 0, SHORT));
            requests.add(node.readBarrier(ReadConsistency.STALE, 1_000, SHORT));
        }

        await().atMost(WAIT).until(() -> requests.stream().allMatch(CompletableFuture::isDone));
        assertThat(requests).allMatch(CompletableFuture::isCompletedExceptionally);

        await().atMost(WAIT).until(() -> node.pendingRequests() == 0);
    }
}
