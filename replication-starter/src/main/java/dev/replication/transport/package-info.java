/**
 * Peer transport: how cluster members exchange consensus messages and request/response calls.
 *
 * <p>Owns the {@link dev.replication.transport.PeerTransport} contract and its two
 * implementations: {@link dev.replication.transport.InMemoryPeerNetwork} for single-JVM tests,
 * and {@link dev.replication.transport.Http2PeerTransport}, which keeps one HTTP/2 connection
 * per peer (Single Socket Channel) with a bounded window of batched POSTs in flight (Request
 * Pipeline). The server half is {@link dev.replication.transport.PeerEndpoint}, a Spring MVC
 * controller under {@code /replication/v1/}; every peer request is authenticated by a
 * {@link dev.replication.transport.ClusterCredential} derived from the cluster secret, and
 * messages travel in the compact binary {@link dev.replication.transport.MessageCodec}.
 *
 * <p>The transport gives no ordering guarantee: HTTP/2 streams may be processed out of order
 * and messages may be dropped when a peer's queue is full. The consensus core's checks
 * (generation, previous index, round) keep replication correct regardless.
 */
package dev.replication.transport;
