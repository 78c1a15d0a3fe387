package dev.replication.runtime;

import dev.replication.core.AppendRequest;
import dev.replication.core.Message;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a node that just started has applied what the cluster had committed when it started;
 * until then it is not ready (readiness DOWN), because its state is older than what clients may
 * already have seen.
 *
 * <p>No commit index is stored, so the node learns its target: the commit index the leader it
 * follows sends first (at least what was committed when this node started, unless that leader
 * was itself just elected and still behind), or, as leader, its own last log index when it took
 * over (a leader holds every committed entry and commits all of its log). A leader that steps
 * down before reaching it learns the target again from the next leader: its own tail may be
 * overwritten.
 *
 * <p>Updated on the update-queue thread; {@link #reason} may be read from any thread.
 */
final class StartupCatchUp {

    private static final Logger log = LoggerFactory.getLogger(StartupCatchUp.class);
    private static final long UNKNOWN = -1;

    private final String nodeId;
    private final long storedAtStart;
    private volatile long target = UNKNOWN;
    private volatile boolean caughtUp;
    private boolean targetFromOwnLeadership;

    /** @param storedAtStart the last index in the log when the node started */
    StartupCatchUp(String nodeId, long storedAtStart) {
        this.nodeId = nodeId;
        this.storedAtStart = storedAtStart;
    }

    /** A peer message this node handled (now in {@code role}): the leader it follows tells its commit index. */
    void heard(Message message, RoleState role) {
        if (message instanceof AppendRequest request
                && request.from().equals(role.leaderId())
                && request.generation() == role.generation()) {
            leaderCommitSeen(request.commitIndex());
        }
    }

    private void leaderCommitSeen(long leaderCommitIndex) {
        if (!caughtUp && (target == UNKNOWN || targetFromOwnLeadership)) {
            target = leaderCommitIndex;
            targetFromOwnLeadership = false;
        }
    }

    /** The node's role changed; {@code lastIndex} is the last entry of its log now. */
    void roleChanged(RoleState previous, RoleState next, long lastIndex) {
        if (caughtUp) {
            return;
        }
        if (next.role() == Role.LEADER && previous.role() != Role.LEADER && target == UNKNOWN) {
            target = lastIndex;
            targetFromOwnLeadership = true;
        } else if (previous.role() == Role.LEADER && next.role() != Role.LEADER && targetFromOwnLeadership) {
            target = UNKNOWN;
            targetFromOwnLeadership = false;
        }
    }

    /** Called after every turn of the update queue. */
    void applied(long appliedIndex) {
        long reach = target;
        if (!caughtUp && reach != UNKNOWN && appliedIndex >= reach) {
            caughtUp = true;
            log.info(
                    "Node {} caught up: applied {} (the commit index it learned after starting: {})",
                    nodeId,
                    appliedIndex,
                    reach);
        }
    }

    /** Null once caught up; otherwise what the node still waits for. */
    @Nullable
    String reason(long appliedIndex) {
        if (caughtUp) {
            return null;
        }
        long reach = target;
        if (reach == UNKNOWN) {
            return "catching up after start: waiting to learn the commit index from a leader (log holds "
                    + storedAtStart + " entries, applied " + appliedIndex + ")";
        }
        return "catching up after start: applied " + appliedIndex + " of " + reach
                + " committed entries before serving";
    }
}
