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
        Duration pingInterval) {

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
        if (queueCapacity < 1 || maxBatchMessages < 1 || maxBatchBytes < 1 || maxInFlightBatches < 1) {
            throw new IllegalArgumentException("peer transport limits must be >= 1: queueCapacity="
                    + queueCapacity + ", maxBatchMessages=" + maxBatchMessages + ", maxBatchBytes="
                    + maxBatchBytes + ", maxInFlightBatches=" + maxInFlightBatches);
        }
    }

    /** Settings with defaults suited to a LAN cluster. */
    public static PeerTransportSettings of(String nodeId, String clusterId, Map<String, URI> peers,
            ClusterSecret clusterSecret) {
        return new PeerTransportSettings(nodeId, clusterId, peers, clusterSecret,
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
                1024, 256, 1024 * 1024, 8,
                Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    public PeerTransportSettings withPeers(Map<String, URI> newPeers) {
        return new PeerTransportSettings(nodeId, clusterId, newPeers, clusterSecret,
                connectTimeout, requestTimeout, clockWindow, queueCapacity, maxBatchMessages,
                maxBatchBytes, maxInFlightBatches, reconnectBackoffMin, reconnectBackoffMax,
                pingInterval);
    }

    public PeerTransportSettings withTimeouts(Duration newConnectTimeout, Duration newRequestTimeout) {
        return new PeerTransportSettings(nodeId, clusterId, peers, clusterSecret,
                newConnectTimeout, newRequestTimeout, clockWindow, queueCapacity,
                maxBatchMessages, maxBatchBytes, maxInFlightBatches, reconnectBackoffMin,
                reconnectBackoffMax, pingInterval);
    }

    public PeerTransportSettings withQueueCapacity(int newQueueCapacity) {
        return new PeerTransportSettings(nodeId, clusterId, peers, clusterSecret,
                connectTimeout, requestTimeout, clockWindow, newQueueCapacity,
                maxBatchMessages, maxBatchBytes, maxInFlightBatches, reconnectBackoffMin,
                reconnectBackoffMax, pingInterval);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("peer transport setting " + name
                    + " must be a positive duration, was " + value);
        }
    }
}
