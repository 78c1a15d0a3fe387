package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.core.Role;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node that stops serving after an I/O error says so to everyone who listens. */
class NodeFailStopTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    final TestNode test = new TestNode();

    @AfterEach
    void stop() {
        test.close();
    }

    @Test
    void aLeaderThatFailStopsTellsItsRoleListenerItNoLongerLeads() {
        ReplicationNode node = test.startSingle();
        await().atMost(WAIT).until(node::isLeader);
        test.disk.failNextForces(1);

        node.submit(new byte[] {1}, null, WAIT);

        await().atMost(WAIT).until(() -> node.failure() != null);
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(test.roles.get(test.roles.size() - 1).role()).isNotEqualTo(Role.LEADER));
    }
}
