package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client requests, peer messages and the node's own events are admitted each by their own rule. */
class SingularUpdateQueueTest {

    private final List<String> processed = new ArrayList<>();
    private final SingularUpdateQueue<String> queue =
            new SingularUpdateQueue<>("test", 2, 3, 16, processed::addAll, error -> {});

    @Test
    void aClientRequestBeyondTheCapacityIsRefused() {
        assertThat(queue.offer("c1")).isTrue();
        assertThat(queue.offer("c2")).isTrue();

        assertThat(queue.offer("c3")).isFalse();
    }

    @Test
    void peerMessagesAreAdmittedWhileClientRequestsFillTheQueue() {
        queue.offer("c1");
        queue.offer("c2");

        assertThat(queue.offerPeer("p1")).isTrue();
    }

    @Test
    void aPeerMessageBeyondItsOwnBoundIsDropped() {
        queue.offerPeer("p1");
        queue.offerPeer("p2");
        queue.offerPeer("p3");

        assertThat(queue.offerPeer("p4")).isFalse();
    }

    @Test
    void theNodesOwnEventsAreAdmittedWhileClientRequestsAndPeerMessagesFillTheQueue() {
        queue.offer("c1");
        queue.offer("c2");
        queue.offerPeer("p1");
        queue.offerPeer("p2");
        queue.offerPeer("p3");

        assertThat(queue.offerInternal("i1")).isTrue();
    }

    @Test
    void afterStopNothingIsAdmittedAndEverythingQueuedIsHandedBack() throws Exception {
        queue.offer("c1");
        queue.offerPeer("p1");
        queue.offerInternal("i1");

        queue.stop(1_000);

        assertThat(List.of(queue.offer("c2"), queue.offerPeer("p2"), queue.offerInternal("i2")))
                .containsOnly(false);
        assertThat(queue.drainRemaining()).containsExactly("c1", "p1", "i1");
    }
}
