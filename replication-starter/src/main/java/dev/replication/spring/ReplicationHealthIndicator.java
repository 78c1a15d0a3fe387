package dev.replication.spring;

import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.log.LogHealth;
import dev.replication.runtime.NodeStatus;
import dev.replication.runtime.ReplicationNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Readiness of this node to serve replicated reads and writes: UP when it is the leader or
 * follows a known leader and has applied close to the commit index; DOWN when no leader is
 * known (no quorum, election in progress), while it has not yet applied what was committed when
 * it started, when it is far behind, when its disk is full or a persist has been stalled past the
 * log's threshold, or after a fail-stop. Belongs
 * in the readiness group only: restarting a node never brings back a lost quorum.
 */
public class ReplicationHealthIndicator extends AbstractHealthIndicator {

    private final ReplicationNode node;
    private final long maxApplyLag;

    public ReplicationHealthIndicator(ReplicationNode node, long maxApplyLag) {
        super("Replication health check failed");
        this.node = node;
        this.maxApplyLag = maxApplyLag;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        if (node.failure() != null) {
            builder.down().withDetail("nodeId", node.nodeId()).withDetail("failure", node.failure());
            return;
        }
        // Read without the node's thread, which a stalled disk may be holding.
        LogHealth storage = node.logHealth();
        if (storage.diskFull() != null) {
            builder.down().withDetail("nodeId", node.nodeId()).withDetail("reason", "disk full: " + storage.diskFull());
            return;
        }
        if (storage.stalled()) {
            builder.down()
                    .withDetail("nodeId", node.nodeId())
                    .withDetail(
                            "reason",
                            "disk stalled: a log persist has been in progress for " + storage.persistInProgressMillis()
                                    + " ms (threshold " + storage.stallThresholdMillis() + " ms)")
                    .withDetail("persistInProgressMillis", storage.persistInProgressMillis());
            return;
        }
        NodeStatus status = node.status().get(2, TimeUnit.SECONDS);
        builder.withDetail("nodeId", status.nodeId()).withDetail("role", status.role());
        // Left out when unknown: the string "null" would read as a node of that name.
        if (status.leaderId() != null) {
            builder.withDetail("leaderId", status.leaderId());
        }
        builder.withDetail("generation", status.generation())
                .withDetail("commitIndex", status.commitIndex())
                .withDetail("appliedIndex", status.appliedIndex())
                .withDetail("lastPersistMillis", storage.lastPersistMillis());
        Map<String, String> regressions = new TreeMap<>();
        status.peers().forEach((peer, progress) -> {
            if (progress.logRegressions() > 0) {
                regressions.put(
                        peer,
                        "lost entries " + progress.lastLostFrom() + ".." + progress.lastLostTo()
                                + " it had acknowledged (" + progress.logRegressions() + " time(s) under this leader);"
                                + " resent, now matching up to " + progress.matchIndex());
            }
        });
        if (!regressions.isEmpty()) {
            builder.withDetail("followerLogRegressions", regressions);
        }
        RoleState role = node.roleState();
        if (role.role() != Role.LEADER && status.leaderId() == null) {
            builder.down()
                    .withDetail("reason", "no leader known: an election is in progress or no quorum is reachable");
        } else if (status.catchingUp() != null) {
            builder.down().withDetail("reason", status.catchingUp());
        } else if (status.commitIndex() - status.appliedIndex() > maxApplyLag) {
            builder.down()
                    .withDetail(
                            "reason",
                            "catching up: " + (status.commitIndex() - status.appliedIndex())
                                    + " committed entries not yet applied");
        } else {
            builder.up();
        }
    }
}
