package dev.replication.spring;

import dev.replication.core.Role;
import dev.replication.core.RoleState;
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
 * known (no quorum, election in progress), when it is far behind, or after a fail-stop. Belongs
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
        NodeStatus status = node.status().get(2, TimeUnit.SECONDS);
        builder.withDetail("nodeId", status.nodeId())
                .withDetail("role", status.role())
                .withDetail("leaderId", String.valueOf(status.leaderId()))
                .withDetail("generation", status.generation())
                .withDetail("commitIndex", status.commitIndex())
                .withDetail("appliedIndex", status.appliedIndex());
        Map<String, String> regressions = new TreeMap<>();
        status.peers().forEach((peer, progress) -> {
            if (progress.logRegressions() > 0) {
                regressions.put(peer, "lost entries " + progress.lastLostFrom() + ".." + progress.lastLostTo()
                        + " it had acknowledged (" + progress.logRegressions() + " time(s) under this leader);"
                        + " resent, now matching up to " + progress.matchIndex());
            }
        });
        if (!regressions.isEmpty()) {
            builder.withDetail("followerLogRegressions", regressions);
        }
        RoleState role = node.roleState();
        if (role.role() != Role.LEADER && status.leaderId() == null) {
            builder.down().withDetail("reason", "no leader known: an election is in progress or no quorum is reachable");
        } else if (status.commitIndex() - status.appliedIndex() > maxApplyLag) {
            builder.down().withDetail("reason", "catching up: " + (status.commitIndex() - status.appliedIndex())
                    + " committed entries not yet applied");
        } else {
            builder.up();
        }
    }
}
