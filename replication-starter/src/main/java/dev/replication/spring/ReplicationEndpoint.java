package dev.replication.spring;

import dev.replication.runtime.Backup;
import dev.replication.runtime.NodeStatus;
import dev.replication.runtime.ReplicationNode;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/replication}: who this node is, whom it follows, how far its log and state
 * have got, and (on the leader) how far each follower has got. {@code POST} writes a backup of the
 * node's state (a write operation: off unless management.endpoint.replication.access=unrestricted).
 */
@Endpoint(id = "replication", defaultAccess = Access.READ_ONLY)
public class ReplicationEndpoint {

    private final ReplicationNode node;

    public ReplicationEndpoint(ReplicationNode node) {
        this.node = node;
    }

    @ReadOperation
    public NodeStatus status() {
        try {
            return node.status().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the node's status", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "node " + node.nodeId()
                            + " did not report its status within 2 s: its update queue is stuck or overloaded",
                    e);
        }
    }

    /** Writes a backup of this node's state under its data directory and says where. */
    @WriteOperation
    public Backup backup() {
        try {
            return node.backup().get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a backup", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "node " + node.nodeId() + " could not write a backup: " + e.getMessage(), e);
        }
    }
}
