package dev.replication.transport;

import dev.replication.core.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network of {@link PeerTransport}s inside one JVM, for single-JVM tests of a cluster.
 *
 * <p>Each node has an inbox thread: messages and calls are delivered on it, asynchronously and
 * in send order per pair of nodes, never on the sender's thread (so a node's update queue is
 * never re-entered by another node). Fault hooks make scenarios read plainly:
 * {@code network.isolate("n1")}, {@code network.dropBetween("n2", "n3")}, {@code network.heal()}.
 * A message that cannot be delivered is dropped and counted, like a full peer queue.
 */
public final class InMemoryPeerNetwork implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InMemoryPeerNetwork.class);

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Set<String> isolated = ConcurrentHashMap.newKeySet();
    private final Set<List<String>> cutLinks = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "in-memory-peer-network-timer"));

    /**
     * The transport of {@code nodeId}, created on first use, and anew once the previous one was
     * closed (a node restarted by a test gets a fresh transport with an empty inbox).
     */
    public PeerTransport transportFor(String nodeId) {
        return nodes.compute(nodeId, (id, existing) -> existing == null || existing.closed ? new Node(id) : existing);
    }

    /** Cuts {@code nodeId} off from every other node, in both directions, until {@link #heal}. */
    public void isolate(String nodeId) {
        isolated.add(nodeId);
    }

    /** Drops everything between {@code a} and {@code b}, in both directions, until {@link #heal}. */
    public void dropBetween(String a, String b) {
        cutLinks.add(link(a, b));
    }

    /** Removes every fault: all nodes reach each other again. */
    public void heal() {
        isolated.clear();
        cutLinks.clear();
    }

    /** Messages dropped so far (faults, unknown or stopped receivers). */
    public long droppedMessages() {
        return dropped.get();
    }

    @Override
    public void close() {
        nodes.values().forEach(Node::close);
        timer.shutdownNow();
    }

    private boolean reachable(String from, String to) {
        return !isolated.contains(from) && !isolated.contains(to) && !cutLinks.contains(link(from, to));
    }

    private static List<String> link(String a, String b) {
        return a.compareTo(b) <= 0 ? List.of(a, b) : List.of(b, a);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    private final class Node implements PeerTransport {

        private final String id;
        private final ExecutorService inbox;
        private volatile @Nullable InboundHandler handler;
        private volatile boolean closed;

        Node(String id) {
            this.id = id;
            this.inbox = Executors.newSingleThreadExecutor(runnable -> daemon(runnable, "in-memory-peer-" + id));
        }

        @Override
        public void start(InboundHandler handler) {
            if (this.handler != null) {
                throw new IllegalStateException(
                        "in-memory transport of node " + id + " was already started; start it once per node");
            }
            this.handler = handler;
        }

        @Override
        public void send(Message message) {
            Node receiver = nodes.get(message.to());
            if (closed || receiver == null || !reachable(id, message.to())) {
                dropped.incrementAndGet();
                return;
            }
            receiver.deliver(() -> {
                InboundHandler target = receiver.handler;
                if (target == null || !reachable(id, receiver.id)) {
                    dropped.incrementAndGet();
                    return;
                }
                try {
                    target.onMessage(message);
                } catch (RuntimeException failure) {
                    log.warn(
                            "Node {} failed to handle {} from {}",
                            receiver.id,
                            message.getClass().getSimpleName(),
                            id,
                            failure);
                }
            });
        }

        @Override
        public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
            CompletableFuture<byte[]> result = new CompletableFuture<>();
            Node receiver = nodes.get(peerId);
            if (closed || receiver == null || !reachable(id, peerId)) {
                result.completeExceptionally(notDelivered(
                        peerId,
                        operation,
                        receiver == null
                                ? "no node " + peerId + " in this in-memory network"
                                : "the network between " + id + " and " + peerId + " is cut"));
                return result;
            }
            ScheduledFuture<?> expiry = timer.schedule(
                    () -> result.completeExceptionally(new PeerCallException(
                            peerId,
                            PeerCallException.Delivery.MAYBE_DELIVERED,
                            "call " + operation + " to " + peerId + " got no answer within " + timeout
                                    + "; its outcome is unknown")),
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            result.whenComplete((response, failure) -> expiry.cancel(false));
            byte[] request = body.clone();
            receiver.deliver(() -> {
                InboundHandler target = receiver.handler;
                if (target == null || !reachable(id, receiver.id)) {
                    result.completeExceptionally(notDelivered(
                            peerId,
                            operation,
                            target == null
                                    ? "node " + peerId + " has not started"
                                    : "the network between " + id + " and " + peerId + " is cut"));
                    return;
                }
                CompletableFuture<byte[]> answer;
                try {
                    answer = target.onCall(id, operation, request);
                } catch (RuntimeException failure) {
                    answer = CompletableFuture.failedFuture(failure);
                }
                answer.whenComplete((response, failure) -> deliver(() -> {
                    if (!reachable(receiver.id, id)) {
                        return; // the answer is lost: the caller times out, outcome unknown
                    }
                    if (failure != null) {
                        result.completeExceptionally(new PeerCallException(
                                peerId,
                                PeerCallException.Delivery.MAYBE_DELIVERED,
                                "peer " + peerId + " failed call " + operation + ": " + failure.getMessage(),
                                failure));
                    } else {
                        result.complete(response);
                    }
                }));
            });
            return result;
        }

        @Override
        public void close() {
            closed = true;
            inbox.shutdownNow();
            // A node restarted under the same id gets a fresh transport.
            nodes.remove(id, this);
        }

        private void deliver(Runnable delivery) {
            try {
                inbox.execute(delivery);
            } catch (RejectedExecutionException stopped) {
                dropped.incrementAndGet();
            }
        }

        private PeerCallException notDelivered(String peerId, String operation, String reason) {
            return new PeerCallException(
                    peerId,
                    PeerCallException.Delivery.NOT_DELIVERED,
                    "call " + operation + " from " + id + " to " + peerId + " was not delivered: " + reason
                            + "; it is safe to retry");
        }
    }
}
