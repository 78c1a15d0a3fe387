package dev.replication.spring;

import dev.replication.runtime.NodeSettings;
import dev.replication.transport.ClusterSecret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code replication.*} checked and resolved: who this node is, who its peers are, which
 * cluster it belongs to and where its data lives. Every problem fails startup with a
 * {@link ReplicationConfigurationException} that names the property and says how to fix it.
 */
public record ReplicationSetup(
        String nodeId,
        ClusterMembers members,
        String clusterId,
        Path dataDir,
        boolean temporaryDataDir,
        @Nullable String clusterSecret,
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
                throw new ReplicationConfigurationException(
                        "replication.node-id is not set, but replication.peers" + " lists "
                                + members.peers().keySet(),
                        "Set replication.node-id to this node's id in" + " replication.peers (one of "
                                + members.peers().keySet() + ")");
            }
            nodeId = DEFAULT_SINGLE_NODE_ID;
        }
        if (properties.isJoin()) {
            throw new ReplicationConfigurationException(
                    "replication.join=true is not supported by this release:"
                            + " membership changes are not implemented yet",
                    "Remove replication.join and list every node" + " in replication.peers on every node instead");
        }
        if (!members.isEmpty() && !members.contains(nodeId)) {
            throw new ReplicationConfigurationException(
                    "replication.node-id '" + nodeId + "' is not among" + " replication.peers "
                            + members.peers().keySet(),
                    "Add '" + nodeId + "=<its url>' to"
                            + " replication.peers on every node, or set replication.node-id to one of "
                            + members.peers().keySet());
        }
        boolean multiNode = members.peers().size() > 1;
        PeerProperties peer = properties.getPeer();
        String secret = peer.getClusterSecret();
        try {
            ClusterSecret.requireForCluster(
                    nodeId,
                    members.peers().keySet(),
                    secret == null || secret.isBlank() ? ClusterSecret.none() : ClusterSecret.of(secret),
                    peer.isAllowInsecure());
        } catch (IllegalStateException insecure) {
            throw new ReplicationConfigurationException(
                    String.valueOf(insecure.getMessage()),
                    "Set the same"
                            + " replication.peer.cluster-secret, a random string of at least "
                            + ClusterSecret.MINIMUM_LENGTH
                            + " characters, on every node (or replication.peer.allow-insecure=true for local"
                            + " development only)",
                    insecure);
        }
        if (multiNode && properties.isInMemory()) {
            throw new ReplicationConfigurationException(
                    "replication.in-memory=true keeps no data across restarts"
                            + " and is only for a single node, but replication.peers lists "
                            + members.peers().keySet(),
                    "Remove replication.in-memory, or remove the other nodes from replication.peers");
        }
        MapProperties map = properties.getMap();
        long maxValue = map.getMaxValueSize().toBytes();
        long maxKey = map.getMaxKeySize().toBytes();
        if (maxValue < 1 || maxValue > MAX_ENTRY_BYTES || maxKey < 1 || maxKey > MAX_ENTRY_BYTES) {
            throw new ReplicationConfigurationException(
                    "replication.map.max-key-size (" + map.getMaxKeySize()
                            + ") and replication.map.max-value-size (" + map.getMaxValueSize()
                            + ") must be between 1B and "
                            + (MAX_ENTRY_BYTES >> 20)
                            + "MB: every entry travels in one peer request and one log record",
                    "Set replication.map.max-key-size and replication.map.max-value-size between 1B and "
                            + (MAX_ENTRY_BYTES >> 20) + "MB, and store larger objects elsewhere");
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
        return new ReplicationSetup(
                nodeId,
                members,
                clusterId,
                dataDir.toAbsolutePath(),
                temporary,
                secret == null || secret.isBlank() ? null : secret,
                properties);
    }

    /**
     * replication.peer.max-body-size in bytes; outside 64KB..256MB fails naming the property
     * (below, not even one append fits; above, one peer could make this node buffer too much).
     */
    public int maxPeerBodyBytes() {
        long bytes = properties.getPeer().getMaxBodySize().toBytes();
        if (bytes < 64 * 1024 || bytes > 256L * 1024 * 1024) {
            throw new ReplicationConfigurationException(
                    "replication.peer.max-body-size (" + properties.getPeer().getMaxBodySize()
                            + ") must be between 64KB and 256MB",
                    "Set replication.peer.max-body-size between 64KB and 256MB (default 4MB), the same on every node");
        }
        int perSender = properties.getPeer().getMaxRequestsPerSender();
        if (perSender < 1) {
            throw new ReplicationConfigurationException(
                    "replication.peer.max-requests-per-sender (" + perSender + ") must be at least 1",
                    "Set replication.peer.max-requests-per-sender to 1 or more (default 128)");
        }
        return (int) bytes;
    }

    /** The voting members: the peers, or just this node. */
    public Set<String> voters() {
        return members.isEmpty()
                ? Set.of(nodeId)
                : new LinkedHashSet<>(members.peers().keySet());
    }

    /** The node's timings and limits; inconsistent ones fail naming the properties involved. */
    public NodeSettings nodeSettings() {
        ElectionProperties election = properties.getElection();
        PipelineProperties pipeline = properties.getPipeline();
        try {
            return new NodeSettings(
                    nodeId,
                    voters(),
                    election.getTickInterval(),
                    election.getTimeout(),
                    election.getHeartbeatInterval(),
                    pipeline.getMaxInflightAppends(),
                    pipeline.getMaxEntriesPerAppend(),
                    pipeline.getMaxBytesPerAppend().toBytes(),
                    10_000,
                    100_000);
        } catch (IllegalArgumentException inconsistent) {
            throw new ReplicationConfigurationException(
                    "replication.election.* or replication.pipeline.* is" + " inconsistent: "
                            + inconsistent.getMessage(),
                    "Keep replication.election.timeout at least"
                            + " three times replication.election.heartbeat-interval, which is at least one"
                            + " replication.election.tick-interval, and every value positive",
                    inconsistent);
        }
    }

    /**
     * The one line a node logs as it starts: how many nodes it counts on and where its data is,
     * so that a cluster of one started by mistake (no {@code replication.peers}) is noticed.
     */
    String startupSummary() {
        String data = temporaryDataDir
                ? "data in the temporary directory " + dataDir + ", deleted at shutdown"
                : "data in " + dataDir;
        if (voters().size() == 1) {
            return "replication: node " + nodeId + " runs as a cluster of one (replication.peers lists no other"
                    + " node); " + data + "; every write is kept on this machine only";
        }
        return "replication: node " + nodeId + " runs in a cluster of " + voters().size() + " nodes " + voters()
                + " (cluster id " + clusterId + "); " + data;
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "ReplicationSetup[nodeId=" + nodeId + ", peers=" + members.peers() + ", clusterId=" + clusterId
                + ", dataDir=" + dataDir + ", clusterSecret=" + (clusterSecret == null ? "none" : "****") + "]";
    }
}
