package dev.replication.spring;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of the replication starter, under the replication prefix: who this node is and
 * who its peers are at the top level, then one group per concern (election timing, the log, the
 * replication pipeline, the maps, the peer channel).
 *
 * Every Javadoc comment on a property here becomes its description in the configuration
 * metadata, so it is plain text (no tags or HTML) and says what the value trades and when it is
 * unsafe. All nodes of a cluster should use the same values, except node-id and data-dir.
 */
@ConfigurationProperties("replication")
public class ReplicationProperties {

    /** Whether to start a replication node in this application. */
    private boolean enabled = true;

    /**
     * This node's id; must be one of the ids in peers (unless join is set). Defaults to "local"
     * when peers is empty (a cluster of one). Never reuse the id of a node whose data is lost.
     */
    private @Nullable String nodeId;

    /**
     * The initial members including this node, as comma-separated id=url pairs, for example
     * n1=http://node1:8080,n2=http://node2:8080,n3=http://node3:8080. URLs include any context
     * path. Empty, or only this node: a cluster of one. Only seeds a new cluster: once the log
     * holds a configuration, that configuration wins.
     */
    private String peers = "";

    /**
     * Cluster id stamped into the data directory and carried by every peer message; derived
     * from the sorted initial peers when unset, so fresh nodes agree on it. Set it when two
     * clusters could otherwise be given the same peers.
     */
    private @Nullable String clusterId;

    /**
     * Data directory (log, hard state, identity), locked against a second process; defaults to
     * ./data/NODE-ID. Must be on durable storage: a node whose directory is lost comes back as a
     * new incarnation and must be removed and added again.
     */
    private @Nullable Path dataDir;

    /**
     * Keep the data in a temporary directory deleted at shutdown: a single-node, throw-away
     * cluster for tests. Nothing survives a restart, so a cluster of several nodes refuses it.
     */
    private boolean inMemory = false;

    /**
     * Join an existing cluster: peers are the seeds to ask, and this node (whose id is not among
     * them and whose data directory is empty) is added as a learner, then a voter.
     */
    private boolean join = false;

    /**
     * A backup (written by the replication Actuator endpoint's write operation) that a node with
     * an empty data directory starts from; ignored once the node holds state. To restore a cluster,
     * start one node with it and the others empty (see the README's backup section).
     */
    private @Nullable Path restoreFrom;

    @NestedConfigurationProperty
    private final ElectionProperties election = new ElectionProperties();

    @NestedConfigurationProperty
    private final LogProperties log = new LogProperties();

    @NestedConfigurationProperty
    private final PipelineProperties pipeline = new PipelineProperties();

    @NestedConfigurationProperty
    private final MapProperties map = new MapProperties();

    @NestedConfigurationProperty
    private final PeerProperties peer = new PeerProperties();

    @NestedConfigurationProperty
    private final CheckpointProperties checkpoint = new CheckpointProperties();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getNodeId() {
        return nodeId;
    }

    public void setNodeId(@Nullable String nodeId) {
        this.nodeId = nodeId;
    }

    public String getPeers() {
        return peers;
    }

    public void setPeers(String peers) {
        this.peers = peers;
    }

    public @Nullable String getClusterId() {
        return clusterId;
    }

    public void setClusterId(@Nullable String clusterId) {
        this.clusterId = clusterId;
    }

    public @Nullable Path getDataDir() {
        return dataDir;
    }

    public void setDataDir(@Nullable Path dataDir) {
        this.dataDir = dataDir;
    }

    public boolean isInMemory() {
        return inMemory;
    }

    public void setInMemory(boolean inMemory) {
        this.inMemory = inMemory;
    }

    public boolean isJoin() {
        return join;
    }

    public void setJoin(boolean join) {
        this.join = join;
    }

    public ElectionProperties getElection() {
        return election;
    }

    public LogProperties getLog() {
        return log;
    }

    public PipelineProperties getPipeline() {
        return pipeline;
    }

    public MapProperties getMap() {
        return map;
    }

    public @Nullable Path getRestoreFrom() {
        return restoreFrom;
    }

    public void setRestoreFrom(@Nullable Path restoreFrom) {
        this.restoreFrom = restoreFrom;
    }

    public CheckpointProperties getCheckpoint() {
        return checkpoint;
    }

    public PeerProperties getPeer() {
        return peer;
    }
}
