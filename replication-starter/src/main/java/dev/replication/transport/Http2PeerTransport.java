package dev.replication.transport;

import dev.replication.core.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * The {@link PeerTransport} between real nodes: cleartext HTTP/2 with prior knowledge (no
 * HTTP/1.1 fallback), one connection per peer carrying many requests at once (Single Socket
 * Channel, Request Pipeline), every request signed with the {@link ClusterCredential}.
 *
 * <p>{@link #send} only queues the message on the peer's {@link PeerChannel}; a small drain
 * pool batches and signs, and OkHttp writes. A slow or dead peer therefore fills its own
 * bounded queue (then drops, counted) and never delays the caller or other peers.
 * {@link #call} is one POST to {@code call/{operation}} with its own deadline.
 *
 * <p>The server half is {@link InboundRequests} (behind the servlet endpoint), which asks this
 * transport for the handler, the credential and the configured peers.
 */
public final class Http2PeerTransport implements PeerTransport {

    /** Path of the peer endpoints below a node's base URL (which includes any context path). */
    public static final String BASE_PATH = "replication/v1/";

    /** Marks a 5xx answer given before the handler ran, so the call was certainly not delivered. */
    static final String NOT_DELIVERED_HEADER = "X-Replication-Not-Delivered";

    private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
    private static final Pattern OPERATION = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Stays below the server's HTTP/2 stream limit so OkHttp never opens a second connection. */
    private static final int MAX_REQUESTS_PER_PEER = 160;

    private final String nodeId;
    private final PeerTransportSettings settings;
    private final MessageCodec codec = new MessageCodec();
    private final ClusterCredential credential;
    private final OkHttpClient client;
    private final ExecutorService drainExecutor;
    private final ScheduledExecutorService scheduler;
    private final Map<String, PeerChannel> channels = new ConcurrentHashMap<>();
    private final AtomicLong unroutable = new AtomicLong();
    private final InboundSequencer sequencer;
    private final InboundRequests inbound;
    private volatile Map<String, HttpUrl> peerUrls = Map.of();
    private volatile @Nullable InboundHandler handler;
    private volatile boolean closed;

    public Http2PeerTransport(PeerTransportSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public Http2PeerTransport(PeerTransportSettings settings, Clock clock) {
        settings.peers().forEach(Http2PeerTransport::baseUrl); // refuse a bad URL before starting any thread
        this.settings = settings;
        this.nodeId = settings.nodeId();
        this.credential =
                new ClusterCredential(settings.clusterId(), settings.clusterSecret(), settings.clockWindow(), clock);
        this.drainExecutor = Executors.newFixedThreadPool(2, threads("peer-sender-" + nodeId));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("peer-timer-" + nodeId));
        this.sequencer = new InboundSequencer(scheduler);
        this.inbound = new InboundRequests(this, settings.maxRequestsPerSender(), threads("peer-inbound-" + nodeId));
        Dispatcher dispatcher = new Dispatcher(Executors.newCachedThreadPool(threads("peer-http-" + nodeId)));
        dispatcher.setMaxRequests(4096);
        dispatcher.setMaxRequestsPerHost(MAX_REQUESTS_PER_PEER);
        this.client = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .retryOnConnectionFailure(false) // a silent resend of a peer request is not ours to decide
                .dispatcher(dispatcher)
                // Keep every peer's connection even between heartbeats (the default keeps 5 idle).
                .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                .connectTimeout(settings.connectTimeout())
                // No per-read limit: each request has a whole-call deadline (callTimeout, or the
                // call's own timeout), and PINGs detect a silently dead connection.
                .readTimeout(Duration.ZERO)
                .writeTimeout(settings.requestTimeout())
                .callTimeout(settings.requestTimeout())
                .pingInterval(settings.pingInterval())
                .eventListener(new DeliveryTracker.Listener())
                .build();
        updatePeers(settings.peers());
    }

    @Override
    public void start(InboundHandler handler) {
        if (this.handler != null) {
            throw new IllegalStateException(
                    "HTTP/2 peer transport of node " + nodeId + " was already started; start it once");
        }
        this.handler = handler;
    }

    @Override
    public void send(Message message) {
        PeerChannel channel = channels.get(message.to());
        if (channel == null) {
            unroutable.incrementAndGet();
            return;
        }
        channel.offer(message);
    }

    @Override
    public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        HttpUrl base = peerUrls.get(peerId);
        if (closed || base == null) {
            result.completeExceptionally(new PeerCallException(
                    peerId,
                    PeerCallException.Delivery.NOT_DELIVERED,
                    "call " + operation + " from "
                            + nodeId + " to " + peerId + " was not sent: "
                            + (closed
                                    ? "the transport is closed"
                                    : "no such peer (known: " + new TreeSet<>(peerUrls.keySet()) + ")")
                            + "; it is safe to retry"));
            return result;
        }
        if (!OPERATION.matcher(operation).matches()) {
            throw new IllegalArgumentException("peer call operation '" + operation
                    + "' must match " + OPERATION.pattern() + ": name operations with letters,"
                    + " digits, '.', '_' or '-'");
        }
        if (body.length > settings.maxBodyBytes()) {
            result.completeExceptionally(new PeerCallException(
                    peerId,
                    PeerCallException.Delivery.NOT_DELIVERED,
                    "call " + operation + " from "
                            + nodeId + " to " + peerId + " was not sent: its body of " + body.length
                            + " bytes exceeds the peer request limit of " + settings.maxBodyBytes()
                            + " bytes; send smaller batches"));
            return result;
        }
        String target = "call/" + operation;
        Request.Builder request = new Request.Builder()
                .url(base.resolve(BASE_PATH + target))
                .post(RequestBody.create(body, OCTET_STREAM));
        credential.sign(nodeId, peerId, target, body).forEach(request::header);
        Call call = client.newCall(DeliveryTracker.attachTo(request).build());
        call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        // Backstop for time spent queued in the dispatcher, which OkHttp's call timeout excludes.
        ScheduledFuture<?> deadline;
        try {
            deadline = scheduler.schedule(call::cancel, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            result.completeExceptionally(new PeerCallException(
                    peerId,
                    PeerCallException.Delivery.NOT_DELIVERED,
                    "call " + operation + " to " + peerId + " was not sent: the transport is closing"));
            return result;
        }
        call.enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) {
                deadline.cancel(false);
                try (response) {
                    if (response.isSuccessful()) {
                        result.complete(response.body().bytes());
                    } else {
                        result.completeExceptionally(rejected(peerId, operation, response));
                    }
                } catch (IOException | RuntimeException failure) {
                    result.completeExceptionally(new PeerCallException(
                            peerId,
                            PeerCallException.Delivery.MAYBE_DELIVERED,
                            "call " + operation
                                    + " to " + peerId + " failed while reading the answer: " + failure
                                    + "; its outcome is unknown",
                            failure));
                }
            }

            @Override
            public void onFailure(Call call, IOException failure) {
                deadline.cancel(false);
                boolean maybe = DeliveryTracker.mayHaveBeenDelivered(call, failure);
                result.completeExceptionally(new PeerCallException(
                        peerId,
                        maybe ? PeerCallException.Delivery.MAYBE_DELIVERED : PeerCallException.Delivery.NOT_DELIVERED,
                        "call " + operation + " from " + nodeId + " to " + peerId + " failed ("
                                + failure + ") "
                                + (maybe
                                        ? "after it was sent: its outcome is unknown"
                                        : "before it was sent: it is safe to retry"),
                        failure));
            }
        });
        return result;
    }

    /**
     * Replaces the peer set after a membership change. Channels of removed peers, or of peers
     * whose URL changed, are closed (their queued messages dropped); new peers get a channel.
     */
    public synchronized void updatePeers(Map<String, URI> peers) {
        Map<String, HttpUrl> urls = new HashMap<>();
        peers.forEach((id, uri) -> {
            if (!id.equals(nodeId)) {
                urls.put(id, baseUrl(id, uri));
            }
        });
        Map<String, HttpUrl> previous = peerUrls;
        peerUrls = Map.copyOf(urls);
        previous.forEach((id, url) -> {
            if (!url.equals(urls.get(id))) {
                PeerChannel channel = channels.remove(id);
                if (channel != null) {
                    channel.close();
                }
            }
        });
        urls.forEach((id, url) -> channels.computeIfAbsent(
                id,
                ignored -> new PeerChannel(id, url, settings, client, codec, credential, drainExecutor, scheduler)));
    }

    /** Ids of the peers this node talks to (the senders it accepts). */
    public Set<String> peerIds() {
        return peerUrls.keySet();
    }

    public String nodeId() {
        return nodeId;
    }

    /** Open HTTP/2 connections: at most one per peer. */
    public int connectionCount() {
        return client.connectionPool().connectionCount();
    }

    /** Messages delivered to {@code peerId} (answered 204 by it). */
    public long sentMessages(String peerId) {
        PeerChannel channel = channels.get(peerId);
        return channel == null ? 0 : channel.sentMessages();
    }

    /** Batch POSTs that {@code peerId} accepted. */
    public long sentBatches(String peerId) {
        PeerChannel channel = channels.get(peerId);
        return channel == null ? 0 : channel.sentBatches();
    }

    /** Messages for {@code peerId} dropped: queue full, POST failed, or channel closed. */
    public long droppedMessages(String peerId) {
        PeerChannel channel = channels.get(peerId);
        return channel == null ? 0 : channel.droppedMessages();
    }

    /**
     * Inbound batch-order gaps this node stopped waiting for (a peer's POST lost or very late),
     * each letting later messages reach the handler before earlier ones.
     */
    public long skippedOrderGaps() {
        return sequencer.skippedGaps();
    }

    /** Messages addressed to a node that is not a configured peer. */
    public long unroutableMessages() {
        return unroutable.get();
    }

    @Override
    public void close() {
        closed = true;
        channels.values().forEach(PeerChannel::close);
        channels.clear();
        scheduler.shutdownNow();
        drainExecutor.shutdownNow();
        inbound.close();
        client.dispatcher().cancelAll();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    /** The server half, for the web endpoint that receives this node's peer requests. */
    public InboundRequests inboundRequests() {
        return inbound;
    }

    PeerTransportSettings settings() {
        return settings;
    }

    /** The largest request body a peer accepts: bodies above it are not sent. */
    @Override
    public int maxRequestBytes() {
        return settings.maxBodyBytes();
    }

    /** Null until {@link #start}. */
    @Nullable
    InboundHandler handler() {
        return handler;
    }

    ClusterCredential credential() {
        return credential;
    }

    MessageCodec codec() {
        return codec;
    }

    InboundSequencer sequencer() {
        return sequencer;
    }

    /** The peer's status and the start of its problem detail, for logs and exceptions. */
    static String describe(Response response) {
        try {
            ResponseBody body = response.body();
            String text = body.string();
            return response.code() + " " + (text.length() > 500 ? text.substring(0, 500) + "..." : text);
        } catch (IOException unreadable) {
            return response.code() + " (body unreadable: " + unreadable + ")";
        }
    }

    private static PeerCallException rejected(String peerId, String operation, Response response) {
        // Every 4xx (from the endpoint or a filter) comes before the handler runs; a 5xx may
        // follow it, unless the endpoint marks it as "handler not reached" (not started).
        int code = response.code();
        boolean maybe = code >= 500 && !"true".equals(response.header(NOT_DELIVERED_HEADER));
        return new PeerCallException(
                peerId,
                maybe ? PeerCallException.Delivery.MAYBE_DELIVERED : PeerCallException.Delivery.NOT_DELIVERED,
                "call " + operation + " to " + peerId
                        + " was answered HTTP " + describe(response)
                        + (maybe ? "; its outcome is unknown" : "; the peer's handler did not run"));
    }

    private static HttpUrl baseUrl(String peerId, URI uri) {
        String text = uri.toString();
        HttpUrl url = HttpUrl.parse(text.endsWith("/") ? text : text + "/");
        if (url == null) {
            throw new IllegalArgumentException("peer " + peerId + " has URL '" + uri
                    + "', which is not an http:// URL; give every peer as id=http://host:port[/context-path]");
        }
        if (url.isHttps()) {
            // Without this, OkHttp's prior-knowledge client would speak cleartext HTTP/2 to it.
            throw new IllegalArgumentException("peer " + peerId + " has URL '" + uri
                    + "', which uses https://, but the peer transport has no TLS yet: it would send the cluster's"
                    + " data cleartext; use http:// on a private network");
        }
        return url;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
