package dev.replication.transport;

import dev.replication.core.Message;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of the {@link Http2PeerTransport} without the web framework: authenticates a
 * peer request, admits it, decodes it, puts batches back in send order and hands them to the
 * {@link InboundHandler}. The servlet endpoint only maps HTTP onto these calls, so everything a
 * peer can make this node do is decided here, beside the client half it answers.
 *
 * <p>A request goes: headers authenticated ({@link #authenticate}), admitted ({@link #admit}: at
 * most {@link PeerTransportSettings#maxRequestsPerSender()} per sender at once), then its body
 * read, checked ({@link #verifyBody}) and handled on this node's own peer executor
 * ({@link #execute}), never on the web server's request threads, which client requests share.
 */
public final class InboundRequests implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InboundRequests.class);

    /** Marks a 5xx answer given before the handler ran, so the call was certainly not delivered. */
    public static final String NOT_DELIVERED_HEADER = Http2PeerTransport.NOT_DELIVERED_HEADER;

    /**
     * Threads reading and handling peer requests. Handlers must not block, so few are busy; the
     * bound only stops a stuck handler from taking the whole node.
     */
    private static final int EXECUTOR_THREADS = 64;
    /** Tasks waiting for a thread; admission already bounds them to senders x their permits. */
    private static final int EXECUTOR_QUEUE = 1024;

    private final Http2PeerTransport transport;
    private final int maxRequestsPerSender;
    /** One per authenticated sender: only configured peers get here, so it stays small. */
    private final Map<String, Semaphore> permits = new ConcurrentHashMap<>();

    private final ThreadPoolExecutor executor;

    InboundRequests(Http2PeerTransport transport, int maxRequestsPerSender, ThreadFactory threads) {
        this.transport = transport;
        this.maxRequestsPerSender = maxRequestsPerSender;
        this.executor = new ThreadPoolExecutor(
                EXECUTOR_THREADS,
                EXECUTOR_THREADS,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(EXECUTOR_QUEUE),
                threads);
        this.executor.allowCoreThreadTimeOut(true);
    }

    public String nodeId() {
        return transport.nodeId();
    }

    /** The largest request body this node reads; larger ones are refused (413). */
    public int maxBodyBytes() {
        return transport.settings().maxBodyBytes();
    }

    /**
     * Checks the request's cluster credential on its headers alone, before any of the body is
     * read, and returns the authenticated sender; anything unauthenticated, foreign or replayed
     * fails with {@link PeerAuthenticationException}. The body must then pass
     * {@link #verifyBody}.
     *
     * @param target the path below the versioned prefix, e.g. {@code messages}
     */
    public String authenticate(UnaryOperator<String> headers, String target) {
        return transport.credential().verifyHeaders(headers, transport.nodeId(), transport.peerIds(), target);
    }

    /**
     * Checks that the body read is the one the authenticated headers signed.
     *
     * @param signedDigest the request's {@link ClusterCredential#DIGEST_HEADER}
     */
    public void verifyBody(String sender, String signedDigest, byte[] body) {
        transport.credential().verifyBody(sender, signedDigest, body);
    }

    /**
     * Admits one request of an authenticated sender, or refuses it at once with
     * {@link OverloadedException} when that sender already has its most requests in progress
     * (or the node has not started). Release the permit when the request is answered.
     */
    public Permit admit(String sender) {
        startedHandler();
        Semaphore semaphore = permits.computeIfAbsent(sender, ignored -> new Semaphore(maxRequestsPerSender));
        if (!semaphore.tryAcquire()) {
            throw new OverloadedException("peer " + sender + " has " + maxRequestsPerSender
                    + " peer requests in progress on node " + transport.nodeId() + ", the most it"
                    + " processes at once for one sender; this one was not processed: retry later");
        }
        return new Permit(semaphore);
    }

    /**
     * Runs {@code work} (reading the body and handling the request) on this node's peer
     * executor; refused with {@link OverloadedException} when its queue is full.
     */
    public void execute(Runnable work) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException full) {
            throw new OverloadedException("node " + transport.nodeId() + " has "
                    + EXECUTOR_QUEUE + " peer requests waiting for its peer executor"
                    + (executor.isShutdown() ? " and is closing" : "") + "; this one was not"
                    + " processed: retry later");
        }
    }

    /** Takes a batch of one-way messages from an authenticated sender, in the sender's order. */
    public void acceptMessages(String sender, byte[] body) {
        InboundHandler handler = startedHandler();
        MessageCodec.MessageBatch batch = transport.codec().decodeOrderedBatch(body);
        for (Message message : batch.messages()) {
            checkAddressing(sender, message);
        }
        transport.sequencer().accept(sender, batch.order(), batch.messages(), message -> {
            try {
                handler.onMessage(message);
            } catch (RuntimeException failure) {
                log.warn(
                        "Node {} failed to take {} from {}; it is dropped and the sender's core" + " will retry",
                        transport.nodeId(),
                        message.getClass().getSimpleName(),
                        sender,
                        failure);
            }
        });
    }

    /** Hands a call from an authenticated sender to the handler; never returns null. */
    public CompletableFuture<byte[]> call(String sender, String operation, byte[] body) {
        InboundHandler handler = startedHandler();
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.onCall(sender, operation, body);
        } catch (RuntimeException failure) {
            answer = CompletableFuture.failedFuture(failure);
        }
        if (answer == null) {
            answer = CompletableFuture.failedFuture(
                    new IllegalStateException("the inbound handler returned no future for call " + operation));
        }
        return answer;
    }

    private InboundHandler startedHandler() {
        InboundHandler handler = transport.handler();
        if (handler == null) {
            throw new NotStartedException(
                    "node " + transport.nodeId() + " has not started its" + " peer transport yet; retry shortly");
        }
        return handler;
    }

    private void checkAddressing(String sender, Message message) {
        if (!sender.equals(message.from())) {
            throw new PeerAuthenticationException(
                    403,
                    "Sender mismatch",
                    "request authenticated"
                            + " as " + sender + " carries a "
                            + message.getClass().getSimpleName()
                            + " from " + message.from() + "; a node may only send its own messages");
        }
        if (!transport.nodeId().equals(message.to())) {
            throw new PeerAuthenticationException(
                    421,
                    "Misdirected peer message",
                    "a "
                            + message.getClass().getSimpleName() + " for " + message.to()
                            + " reached node " + transport.nodeId() + "; check replication.peers on "
                            + sender);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One admitted request; {@link #release} may be called more than once. */
    public static final class Permit {

        private final Semaphore semaphore;
        private final AtomicBoolean released = new AtomicBoolean();

        Permit(Semaphore semaphore) {
            this.semaphore = semaphore;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                semaphore.release();
            }
        }
    }

    /**
     * Refused before anything of the request was processed, because its sender (or this node)
     * has too many peer requests in progress: the sender may retry.
     */
    public static final class OverloadedException extends RuntimeException {
        OverloadedException(String message) {
            super(message);
        }
    }

    /**
     * The endpoint is up but its transport has no handler yet: the request certainly did not
     * reach the node, so the sender may retry.
     */
    public static final class NotStartedException extends RuntimeException {
        NotStartedException(String message) {
            super(message);
        }
    }
}
