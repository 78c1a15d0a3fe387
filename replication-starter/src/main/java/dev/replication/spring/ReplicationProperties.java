package dev.replication.spring;

import dev.replication.log.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

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

    private final Election election = new Election();

    private final Log log = new Log();

    private final Pipeline pipeline = new Pipeline();

    private final Maps map = new Maps();

    private final Peer peer = new Peer();

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

    public Election getElection() {
        return election;
    }

    public Log getLog() {
        return log;
    }

    public Pipeline getPipeline() {
        return pipeline;
    }

    public Maps getMap() {
        return map;
    }

    public Peer getPeer() {
        return peer;
    }

    /**
     * Leader election timing (HeartBeat, Generation Clock). Followers campaign after the
     * election timeout without hearing from a leader, so it bounds how long writes stall after
     * a leader dies; it must stay well above the heartbeat interval and above the longest GC
     * pause or disk stall expected, or healthy leaders get deposed.
     */
    public static class Election {

        /**
         * How long a follower waits without hearing from a leader before it campaigns
         * (randomized up to twice this). Shorter fails over sooner; below the longest GC pause,
         * disk stall or network hiccup, it deposes healthy leaders and writes stall in elections.
         */
        private Duration timeout = Duration.ofMillis(1000);

        /**
         * How often the leader sends heartbeats to idle followers. Shorter notices a lost quorum
         * and confirms reads sooner at the cost of more peer traffic; the election timeout must
         * be at least three times this (ten is usual), or followers campaign against a live
         * leader.
         */
        private Duration heartbeatInterval = Duration.ofMillis(100);

        /**
         * The consensus core's unit of time: the election timeout and the heartbeat interval are
         * counted in whole ticks. Shorter is finer timing for more wake-ups; longer than the
         * heartbeat interval makes heartbeats late.
         */
        private Duration tickInterval = Duration.ofMillis(50);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public Duration getTickInterval() {
            return tickInterval;
        }

        public void setTickInterval(Duration tickInterval) {
            this.tickInterval = tickInterval;
        }
    }

    /** The write-ahead log on this node's disk (Segmented Log, group commit). */
    public static class Log {

        /**
         * Size at which the write-ahead log starts a new segment file. Larger means fewer files
         * and rolls; smaller lets truncation below a snapshot free space in finer steps.
         */
        private DataSize segmentSize = DataSize.ofMegabytes(64);

        /**
         * When log appends are fsync'd: always (before any acknowledgement; the safe default) or
         * interval (at most every fsync-interval, for more throughput on slow disks). Unsafe:
         * with interval, a crash or power loss of a majority at once can lose acknowledged
         * writes.
         */
        private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;

        /**
         * With fsync-policy interval: the longest time between fsyncs, and so the window of
         * acknowledged writes a simultaneous crash of a majority can lose. Ignored with always.
         */
        private Duration fsyncInterval = Duration.ofMillis(10);

        /**
         * A log write and fsync in progress for longer than this marks the disk stalled: readiness
         * goes DOWN with the duration. Shorter reports slow disks sooner; keep it above the disk's
         * normal worst case.
         */
        private Duration stallThreshold = Duration.ofSeconds(5);

        /**
         * While the disk is full, how often the log retries the write that found it full (nothing
         * is acknowledged meanwhile). Shorter resumes sooner once space is freed.
         */
        private Duration diskFullRetryInterval = Duration.ofSeconds(1);

        public Duration getStallThreshold() {
            return stallThreshold;
        }

        public void setStallThreshold(Duration stallThreshold) {
            this.stallThreshold = stallThreshold;
        }

        public Duration getDiskFullRetryInterval() {
            return diskFullRetryInterval;
        }

        public void setDiskFullRetryInterval(Duration diskFullRetryInterval) {
            this.diskFullRetryInterval = diskFullRetryInterval;
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
    }

    /** How the leader streams its log to each follower (Request Pipeline). */
    public static class Pipeline {

        /**
         * Append messages in flight per follower before the leader waits for an answer. More
         * hides the latency to a distant follower; fewer bounds the memory (up to
         * max-bytes-per-append each) and what resending after a lost message costs.
         */
        private int maxInflightAppends = 16;

        /**
         * Largest number of log entries in one append message. Larger batches are cheaper per
         * entry but make each message, and a retry of it, slower.
         */
        private int maxEntriesPerAppend = 512;

        /**
         * Largest payload of one append message. Larger batches are cheaper per byte but delay
         * heartbeats queued behind them; a single entry larger than this still travels alone.
         */
        private DataSize maxBytesPerAppend = DataSize.ofMegabytes(1);

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
    }

    /** What the Replicated maps wait for, retry and accept. */
    public static class Maps {

        /**
         * How long a write (put, remove, compute...) waits to be committed and applied before it
         * fails with an outcome-unknown error. Longer rides out a leader election; shorter frees
         * callers sooner but leaves more writes whose outcome must be read back.
         */
        private Duration writeTimeout = Duration.ofSeconds(5);

        /**
         * How long a linearizable read waits for its read index to be confirmed and applied
         * before it fails as unavailable. Longer rides out an election; shorter fails fast.
         */
        private Duration readTimeout = Duration.ofSeconds(5);

        /**
         * How many compare-and-set attempts an atomic map operation (putIfAbsent, replace,
         * compute, merge...) makes under contention, with random back-off, before it fails with
         * an update-contention error. More attempts wait longer on a hot key.
         */
        private int maxCasAttempts = 64;

        /**
         * Largest key, in bytes after serialization; at most 16MB. Every key travels in peer
         * messages and is stored on every node, so large keys cost everywhere.
         */
        private DataSize maxKeySize = DataSize.ofKilobytes(4);

        /**
         * Largest value, in bytes after serialization; at most 16MB. Every value travels in one
         * peer request and one log record; large values slow replication for all keys.
         */
        private DataSize maxValueSize = DataSize.ofMegabytes(1);

        /**
         * How long idempotency keys are remembered, measured in log time (the leader's stamps).
         * Longer keeps more keys in the replicated state; unsafe when shorter than any client's
         * retry window, because a retry after it is applied again.
         */
        private Duration idempotencyRetention = Duration.ofHours(24);

        /**
         * Most idempotency keys remembered at once (about 120 bytes each); when full, the oldest
         * are forgotten first and a very late retry of one is applied again. The leader's value
         * is carried in the log, so all nodes forget the same keys.
         */
        private int idempotencyMaxKeys = 200_000;

        /**
         * Most memory for the answers of in-flight client sessions (a node's own retries); when
         * full, the least recently active sessions' answers are discarded and a retry of one is
         * answered outcome unknown, never applied twice. Carried in the log like the key limit.
         */
        private DataSize maxSessionSize = DataSize.ofMegabytes(16);

        public int getIdempotencyMaxKeys() {
            return idempotencyMaxKeys;
        }

        public void setIdempotencyMaxKeys(int idempotencyMaxKeys) {
            this.idempotencyMaxKeys = idempotencyMaxKeys;
        }

        public DataSize getMaxSessionSize() {
            return maxSessionSize;
        }

        public void setMaxSessionSize(DataSize maxSessionSize) {
            this.maxSessionSize = maxSessionSize;
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
    }

    /** The channel between nodes: who may talk to this node's peer endpoints. */
    public static class Peer {

        /**
         * Shared secret from which peer requests are authenticated (HMAC), the same on every
         * node. Required for a multi-node cluster unless allow-insecure is set. Never logged;
         * anyone who knows it can act as a cluster member.
         */
        private @Nullable String clusterSecret;

        /**
         * Allows a multi-node cluster without a cluster secret. Unsafe: anyone who can reach the
         * peer endpoints can then inject log entries and votes. For local development only.
         */
        private boolean allowInsecure = false;

        /**
         * Largest peer request body a node accepts; larger ones are refused before they are read.
         * Appends and forwarded writes are sized below half of it. Raising it lets a peer make
         * this node hold more memory per request.
         */
        private DataSize maxBodySize = DataSize.ofMegabytes(4);

        /**
         * Peer requests of one sender processed at once; more are answered 503 (not delivered) at
         * once and the sender retries. Bounds the memory and threads one peer can take.
         */
        private int maxRequestsPerSender = 128;

        public DataSize getMaxBodySize() {
            return maxBodySize;
        }

        public void setMaxBodySize(DataSize maxBodySize) {
            this.maxBodySize = maxBodySize;
        }

        public int getMaxRequestsPerSender() {
            return maxRequestsPerSender;
        }

        public void setMaxRequestsPerSender(int maxRequestsPerSender) {
            this.maxRequestsPerSender = maxRequestsPerSender;
        }

        public @Nullable String getClusterSecret() {
            return clusterSecret;
        }

        public void setClusterSecret(@Nullable String clusterSecret) {
            this.clusterSecret = clusterSecret;
        }

        public boolean isAllowInsecure() {
            return allowInsecure;
        }

        public void setAllowInsecure(boolean allowInsecure) {
            this.allowInsecure = allowInsecure;
        }
    }
}
