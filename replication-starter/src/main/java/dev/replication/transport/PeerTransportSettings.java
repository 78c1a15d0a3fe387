package dev.replication.transport;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a node's {@link Http2PeerTransport} reaches and authenticates its peers.
 *
 * @param nodeId this node's id; the sender id of every request it makes
 * @param clusterId carried (and checked) on every request so nodes of different clusters that
 *     reach each other by mistake refuse to talk
 * @param peers every member's base URL, including any context path (e.g.
 *     {@code http://node2:8080/app}); an entry for this node itself is ignored
 * @param clusterSecret the key of the {@link ClusterCredential}; never printed
 * @param connectTimeout how long to wait for a TCP connection: short, because a dead peer is
 *     detected by it and every message queued meanwhile ages
 * @param requestTimeout the longest a batch POST may take before it is abandoned (its messages
 *     are dropped; the core retries)
 * @param clockWindow how far a request's timestamp may be from the receiver's clock; also how
 *     long nonces are remembered against replay. Larger tolerates worse clock drift, costs
 *     memory
 * @param queueCapacity messages queued per peer and per lane (small messages, appends) before
 *     new ones are dropped; bounds memory for a slow or dead peer
 * @param maxBatchMessages the most messages in one POST
 * @param maxBatchBytes the most (estimated) bytes of messages in one POST; a single larger
 *     message still travels alone
 * @param maxInFlightBatches append POSTs in flight per peer (the Request Pipeline window on the
 *     wire); small messages have a few slots of their own so they never wait behind appends
 * @param reconnectBackoffMin first wait after a failed POST before trying the peer again
 * @param reconnectBackoffMax the longest wait between attempts; doubles from the minimum
 * @param pingInterval HTTP/2 PING interval that detects a silently dead connection
 * @param maxBodyBytes the largest peer request body this node accepts, and sends: a larger
 *     inbound body is refused (413) after reading at most this much, an outbound message or
 *     call body above it is not sent. Bounds what one authenticated request can make this node
 *     buffer; every node of a cluster should use the same value
 * @param maxRequestsPerSender peer requests of one sender this node processes at once; more
 *     are refused at once with 503 (marked not delivered), so one peer cannot take every
 *     thread and buffer of this node
 */
public record PeerTransportSettings(
        String nodeId,
        String clusterId,
        Map<String, URI> peers,
        ClusterSecret clusterSecret,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration clockWindow,
        int queueCapacity,
        int maxBatchMessages,
        int maxBatchBytes,
        int maxInFlightBatches,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax,
        Duration pingInterval,
        int maxBodyBytes,
        int maxRequestsPerSender) {

    /** Default {@link #maxBodyBytes}: room for a 1 MiB batch or a few 1 MiB entries. */
    public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

    /**
     * Default {@link #maxRequestsPerSender}: above what an honest sender has in flight (12
     * message POSTs and its calls; its client stops at 160 per peer).
     */
    public static final int DEFAULT_MAX_REQUESTS_PER_SENDER = 128;

    public PeerTransportSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(clusterId, "clusterId");
        peers = Map.copyOf(peers);
        Objects.requireNonNull(clusterSecret, "clusterSecret (use ClusterSecret.none())");
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("clockWindow", clockWindow);
        requirePositive("reconnectBackoffMin", reconnectBackoffMin);
        requirePositive("reconnectBackoffMax", reconnectBackoffMax);
        requirePositive("pingInterval", pingInterval);
        if (queueCapacity < 1
                || maxBatchMessages < 1
                || maxBatchBytes < 1
                || maxInFlightBatches < 1
                || maxRequestsPerSender < 1) {
            throw new IllegalArgumentException("peer transport limits must be >= 1: queueCapacity="
                    + queueCapacity + ", maxBatchMessages=" + maxBatchMessages + ", maxBatchBytes="
                    + maxBatchBytes + ", maxInFlightBatches=" + maxInFlightBatches
                    + ", maxRequestsPerSender=" + maxRequestsPerSender);
        }
        // A batch stops before its estimated size passes maxBatchBytes; the margin covers the
        // batch header and the estimate's error, so batches never meet the body limit.
        if (maxBodyBytes < 2L * maxBatchBytes) {
            throw new IllegalArgumentException("peer transport maxBodyBytes (" + maxBodyBytes
                    + ") must be at least twice maxBatchBytes (" + maxBatchBytes
                    + ") so that every batch fits in one peer request");
        }
    }

    /** Settings with defaults suited to a LAN cluster. */
    public static PeerTransportSettings of(
            String nodeId, String clusterId, Map<String, URI> peers, ClusterSecret clusterSecret) {
        return new PeerTransportSettings(
                nodeId,
                clusterId,
                peers,
                clusterSecret,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                1024,
                256,
                1024 * 1024,
                8,
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_REQUESTS_PER_SENDER);
    }

    public PeerTransportSettings withPeers(Map<String, URI> newPeers) {
        return new PeerTransportSettings(
                nodeId,
                clusterId,
                newPeers,
                clusterSecret,
                connectTimeout,
                requestTimeout,
                clockWindow,
                queueCapacity,
                maxBatchMessages,
                maxBatchBytes,
                maxInFlightBatches,
                reconnectBackoffMin,
                reconnectBackoffMax,
                pingInterval,
                maxBodyBytes,
                maxRequestsPerSender);
    }

    public PeerTransportSettings withTimeouts(Duration newConnectTimeout, Duration newRequestTimeout) {
        return new PeerTransportSettings(
                nodeId,
                clusterId,
                peers,
                clusterSecret,
                newConnectTimeout,
                newRequestTimeout,
                clockWindow,
                queueCapacity,
                maxBatchMessages,
                maxBatchBytes,
                maxInFlightBatches,
                reconnectBackoffMin,
                reconnectBackoffMax,
                pingInterval,
                maxBodyBytes,
                maxRequestsPerSender);
    }

    public PeerTransportSettings withQueueCapacity(int newQueueCapacity) {
        return new PeerTransportSettings(
                nodeId,
                clusterId,
                peers,
                clusterSecret,
                connectTimeout,
                requestTimeout,
                clockWindow,
                newQueueCapacity,
                maxBatchMessages,
                maxBatchBytes,
                maxInFlightBatches,
                reconnectBackoffMin,
                reconnectBackoffMax,
                pingInterval,
                maxBodyBytes,
                maxRequestsPerSender);
    }

    /** The inbound limits: largest body, and requests of one sender processed at once. */
    public PeerTransportSettings withInboundLimits(int newMaxBodyBytes, int newMaxRequestsPerSender) {
        return new PeerTransportSettings(
                nodeId,
                clusterId,
                peers,
                clusterSecret,
                connectTimeout,
                requestTimeout,
                clockWindow,
                queueCapacity,
                maxBatchMessages,
                maxBatchBytes,
                maxInFlightBatches,
                reconnectBackoffMin,
                reconnectBackoffMax,
                pingInterval,
                newMaxBodyBytes,
                newMaxRequestsPerSender);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(
                    "peer transport setting " + name + " must be a positive duration, was " + value);
        }
    }
}
