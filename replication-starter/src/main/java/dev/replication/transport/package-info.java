/**
 * Peer transport: how cluster members exchange consensus messages and request/response calls.
 *
 * <p>Owns the {@link dev.replication.transport.PeerTransport} contract and its two
 * implementations: {@link dev.replication.transport.InMemoryPeerNetwork} for single-JVM tests,
 * and {@link dev.replication.transport.Http2PeerTransport}, which keeps one HTTP/2 connection
 * per peer (Single Socket Channel) with a bounded window of batched POSTs in flight (Request
 * Pipeline). The server half is {@link dev.replication.transport.InboundRequests}, which the
 * servlet endpoint in {@code dev.replication.transport.servlet} maps onto
 * {@code /replication/v1/}; this package imports no Spring, Tomcat or servlet type. Every peer
 * request is authenticated by a
 * {@link dev.replication.transport.ClusterCredential} derived from the cluster secret, and
 * messages travel in the compact binary {@link dev.replication.transport.MessageCodec}.
 *
 * <p>Ordering is best effort: batches of one peer travel as concurrent HTTP/2 streams, and the
 * receiver's {@link dev.replication.transport.InboundSequencer} puts them back in send order,
 * but skips a gap that does not close within 250 ms; messages are dropped when a peer's queue
 * is full or its POST fails. The consensus core's checks (generation, previous index, round)
 * keep replication correct regardless; the transport never retries on the core's behalf.
 */
@NullMarked
package dev.replication.transport;

import org.jspecify.annotations.NullMarked;
