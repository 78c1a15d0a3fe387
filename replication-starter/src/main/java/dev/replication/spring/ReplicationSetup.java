package dev.replication.spring;

import dev.replication.runtime.NodeSettings;
import dev.replication.transport.ClusterSecret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code replication.*} checked and resolved: who this node is, who its peers are, which
 * cluster it belongs to and where its data lives. Every problem fails startup with a message
 * that names the property and says how to fix it.
 */
public record ReplicationSetup(
        String nodeId,
        ClusterMembers members,
        String clusterId,
        Path dataDir,
        boolean temporaryDataDir,
        String clusterSecret,
        ReplicationProperties properties) {

    /** Largest key or value the limits may allow. */
    static final long MAX_ENTRY_BYTES = 16L << 20;

    /** The node id used when no peers are configured and none is given. */
    public static final String DEFAULT_SINGLE_NODE_ID = "local";

    public static ReplicationSetup from(ReplicationProperties properties) {
        ClusterMembers members = ClusterMembers.parse(properties.getPeers());
        String nodeId = properties.getNodeId();
        if (nodeId == null || nodeId.isBlank()) {
            if (!members.isEmpty()) {
                throw new IllegalStateException("replication.node-id is not set; set it to this node's id in "
                        + "replication.peers (one of " + members.peers().keySet() + ")");
            }
            nodeId = DEFAULT_SINGLE_NODE_ID;
        }
        if (properties.isJoin()) {
            throw new IllegalStateException("replication.join=true is not supported by this release: membership "
                    + "changes are not implemented yet; list every node in replication.peers on every node instead");
        }
        if (!members.isEmpty() && !members.contains(nodeId)) {
            throw new IllegalStateException("replication.node-id '" + nodeId + "' is not among replication.peers "
                    + members.peers().keySet() + "; add '" + nodeId + "=<its url>' to replication.peers on every node");
        }
        boolean multiNode = members.peers().size() > 1;
        String secret = properties.getClusterSecret();
        ClusterSecret.requireForCluster(nodeId, members.peers().keySet(),
                secret == null || secret.isBlank() ? ClusterSecret.none() : ClusterSecret.of(secret),
                properties.isAllowInsecurePeers());
        if (multiNode && properties.isInMemory()) {
            throw new IllegalStateException("replication.in-memory=true keeps no data across restarts and is only "
                    + "for a single node; remove it or remove the other nodes from replication.peers");
        }
        long maxValue = properties.getMaxValueSize().toBytes();
        long maxKey = properties.getMaxKeySize().toBytes();
        if (maxValue < 1 || maxValue > MAX_ENTRY_BYTES || maxKey < 1 || maxKey > MAX_ENTRY_BYTES) {
            throw new IllegalStateException("replication.max-key-size (" + properties.getMaxKeySize()
                    + ") and replication.max-value-size (" + properties.getMaxValueSize() + ") must be between 1B and "
                    + (MAX_ENTRY_BYTES >> 20) + "MB: every entry travels in one peer request and one log record");
        }
        String clusterId = properties.getClusterId();
        if (clusterId == null || clusterId.isBlank()) {
            clusterId = members.isEmpty() ? "single-" + nodeId : members.derivedClusterId();
        }
        Path dataDir;
        boolean temporary = false;
        if (properties.isInMemory()) {
            try {
                dataDir = Files.createTempDirectory("replication-" + nodeId + "-");
                temporary = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary data directory for replication.in-memory", e);
            }
        } else {
            dataDir = properties.getDataDir() != null ? properties.getDataDir() : Path.of("data", nodeId);
        }
        return new ReplicationSetup(nodeId, members, clusterId, dataDir.toAbsolutePath(), temporary,
                secret == null || secret.isBlank() ? null : secret, properties);
    }

    /** The voting members: the peers, or just this node. */
    public Set<String> voters() {
        return members.isEmpty() ? Set.of(nodeId) : new LinkedHashSet<>(members.peers().keySet());
    }


    public NodeSettings nodeSettings() {
        return new NodeSettings(nodeId, voters(), properties.getTickInterval(), properties.getElectionTimeout(),
                properties.getHeartbeatInterval(), properties.getMaxInflightAppends(),
                properties.getMaxEntriesPerAppend(), properties.getMaxBytesPerAppend().toBytes(), 10_000, 100_000);
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "ReplicationSetup[nodeId=" + nodeId + ", peers=" + members.peers() + ", clusterId=" + clusterId
                + ", dataDir=" + dataDir + ", clusterSecret=" + (clusterSecret == null ? "none" : "****") + "]";
    }
}
