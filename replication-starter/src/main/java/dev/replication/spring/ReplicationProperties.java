package dev.replication.spring;

import dev.replication.log.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the replication starter ({@code replication.*}).
 *
 * <p>Timing trade-offs: followers campaign after {@code election-timeout} (randomized up to
 * twice that) without hearing from a leader, so it bounds how long writes stall after a leader
 * dies. It must stay well above {@code heartbeat-interval} and above the longest GC pause or
 * disk stall you expect, or healthy leaders get deposed. All nodes should use the same values.
 */
@ConfigurationProperties("replication")
public class ReplicationProperties {

    /** Whether to start a replication node in this application. */
    private boolean enabled = true;

    /**
     * This node's id; must be one of the ids in {@code peers} (unless {@code join} is set).
     * Defaults to "local" when {@code peers} is empty (a cluster of one).
     */
    private String nodeId;

    /**
     * The initial members including this node, as comma-separated id=url pairs, e.g.
     * {@code n1=http://node1:8080,n2=http://node2:8080,n3=http://node3:8080}. URLs include any
     * context path. Empty, or only this node: a cluster of one. Only seeds a new cluster: once
     * the log holds a configuration, that configuration wins.
     */
    private String peers = "";

    /**
     * Cluster id stamped into the data directory and carried by every peer message; derived
     * from the sorted initial peers when unset, so fresh nodes agree on it.
     */
    private String clusterId;

    /**
     * Shared secret from which peer requests are authenticated (HMAC). Required for a
     * multi-node cluster unless {@code allow-insecure-peers} is set. Never logged.
     */
    private String clusterSecret;

    /**
     * Allows a multi-node cluster without a cluster secret: anyone who can reach the peer
     * endpoints can then inject log entries. For local development only.
     */
    private boolean allowInsecurePeers = false;

    /** Data directory (log, hard state, identity); defaults to ./data/&lt;node-id&gt;. */
    private Path dataDir;

    /**
     * Keep the data in a temporary directory deleted at shutdown: a single-node, throw-away
     * cluster for tests. Nothing survives a restart.
     */
    private boolean inMemory = false;

    /** The core's unit of time; election timeout and heartbeat interval are whole ticks. */
    private Duration tickInterval = Duration.ofMillis(50);

    /** How long followers wait without a heartbeat before campaigning (randomized up to 2x). */
    private Duration electionTimeout = Duration.ofMillis(1000);

    /** How often the leader sends heartbeats to idle followers. */
    private Duration heartbeatInterval = Duration.ofMillis(100);

    /** How long a write (put, remove, compute...) waits to be committed and applied. */
    private Duration writeTimeout = Duration.ofSeconds(5);

    /** How long a linearizable read waits for its read index to be confirmed and applied. */
    private Duration readTimeout = Duration.ofSeconds(5);

    /**
     * How many compare-and-set attempts an atomic map operation (putIfAbsent, replace,
     * compute, merge...) makes under contention before it gives up with
     * UpdateContentionException; attempts back off randomly.
     */
    private int maxCasAttempts = 64;

    /** Size at which the write-ahead log starts a new segment file. */
    private DataSize segmentSize = DataSize.ofMegabytes(64);

    /**
     * When log appends are fsync'd: {@code always} (before any acknowledgement; the safe
     * default) or {@code interval} (at most every {@code fsync-interval}; a crash of a majority
     * at once can lose acknowledged writes).
     */
    private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;

    /** With {@code fsync-policy=interval}: the longest time between fsyncs. */
    private Duration fsyncInterval = Duration.ofMillis(10);

    /** Append messages in flight per follower (Request Pipeline window). */
    private int maxInflightAppends = 16;

    /** Largest log entries per append message. */
    private int maxEntriesPerAppend = 512;

    /** Largest payload bytes per append message. */
    private DataSize maxBytesPerAppend = DataSize.ofMegabytes(1);

    /** Largest key, in bytes after serialization. */
    private DataSize maxKeySize = DataSize.ofKilobytes(4);

    /** Largest value, in bytes after serialization. */
    private DataSize maxValueSize = DataSize.ofMegabytes(1);

    /**
     * How long idempotency keys are remembered, measured in log time (the leader's stamps).
     * Must exceed any client's retry window; a retry after it is applied again.
     */
    private Duration idempotencyRetention = Duration.ofHours(24);

    /**
     * Join an existing cluster: {@code peers} are the seeds to ask, and this node (whose id is
     * not among them and whose data directory is empty) is added as a learner, then a voter.
     */
    private boolean join = false;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getNodeId() {
        return nodeId;
    }

    public void setNodeId(String nodeId) {
        this.nodeId = nodeId;
    }

    public String getPeers() {
        return peers;
    }

    public void setPeers(String peers) {
        this.peers = peers;
    }

    public String getClusterId() {
        return clusterId;
    }

    public void setClusterId(String clusterId) {
        this.clusterId = clusterId;
    }

    public String getClusterSecret() {
        return clusterSecret;
    }

    public void setClusterSecret(String clusterSecret) {
        this.clusterSecret = clusterSecret;
    }

    public boolean isAllowInsecurePeers() {
        return allowInsecurePeers;
    }

    public void setAllowInsecurePeers(boolean allowInsecurePeers) {
        this.allowInsecurePeers = allowInsecurePeers;
    }

    public Path getDataDir() {
        return dataDir;
    }

    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    public boolean isInMemory() {
        return inMemory;
    }

    public void setInMemory(boolean inMemory) {
        this.inMemory = inMemory;
    }

    public Duration getTickInterval() {
        return tickInterval;
    }

    public void setTickInterval(Duration tickInterval) {
        this.tickInterval = tickInterval;
    }

    public Duration getElectionTimeout() {
        return electionTimeout;
    }

    public void setElectionTimeout(Duration electionTimeout) {
        this.electionTimeout = electionTimeout;
    }

    public Duration getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public int getMaxCasAttempts() {
        return maxCasAttempts;
    }

    public void setMaxCasAttempts(int maxCasAttempts) {
        this.maxCasAttempts = maxCasAttempts;
    }

    public DataSize getSegmentSize() {
        return segmentSize;
    }

    public void setSegmentSize(DataSize segmentSize) {
        this.segmentSize = segmentSize;
    }

    public FsyncPolicy getFsyncPolicy() {
        return fsyncPolicy;
    }

    public void setFsyncPolicy(FsyncPolicy fsyncPolicy) {
        this.fsyncPolicy = fsyncPolicy;
    }

    public Duration getFsyncInterval() {
        return fsyncInterval;
    }

    public void setFsyncInterval(Duration fsyncInterval) {
        this.fsyncInterval = fsyncInterval;
    }

    public int getMaxInflightAppends() {
        return maxInflightAppends;
    }

    public void setMaxInflightAppends(int maxInflightAppends) {
        this.maxInflightAppends = maxInflightAppends;
    }

    public int getMaxEntriesPerAppend() {
        return maxEntriesPerAppend;
    }

    public void setMaxEntriesPerAppend(int maxEntriesPerAppend) {
        this.maxEntriesPerAppend = maxEntriesPerAppend;
    }

    public DataSize getMaxBytesPerAppend() {
        return maxBytesPerAppend;
    }

    public void setMaxBytesPerAppend(DataSize maxBytesPerAppend) {
        this.maxBytesPerAppend = maxBytesPerAppend;
    }

    public DataSize getMaxKeySize() {
        return maxKeySize;
    }

    public void setMaxKeySize(DataSize maxKeySize) {
        this.maxKeySize = maxKeySize;
    }

    public DataSize getMaxValueSize() {
        return maxValueSize;
    }

    public void setMaxValueSize(DataSize maxValueSize) {
        this.maxValueSize = maxValueSize;
    }

    public Duration getIdempotencyRetention() {
        return idempotencyRetention;
    }

    public void setIdempotencyRetention(Duration idempotencyRetention) {
        this.idempotencyRetention = idempotencyRetention;
    }

    public boolean isJoin() {
        return join;
    }

    public void setJoin(boolean join) {
        this.join = join;
    }
}
