package dev.replication.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/** The channel between nodes: who may talk to this node's peer endpoints. */
public class PeerProperties {

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
