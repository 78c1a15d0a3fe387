package dev.replication.transport;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof that a peer request comes from a member of this cluster: an HMAC-SHA256, keyed by the
 * {@link ClusterSecret}, over the cluster id, sender, recipient, a timestamp, a random nonce, the
 * target path and the SHA-256 digest of the body, carried in request headers.
 *
 * <p>The signature covers the body's digest rather than the body, so a receiver checks the
 * headers ({@link #verifyHeaders}) before it reads a byte of the body, and only then reads it
 * (bounded) and compares its digest ({@link #verifyBody}): an unauthenticated sender cannot make
 * it buffer anything.
 *
 * <p>The receiver accepts a timestamp only within {@code clockWindow} of its own clock and
 * remembers every nonce until its timestamp leaves the window, so a captured request cannot
 * be replayed. Failures raise {@link PeerAuthenticationException}; none reveals the secret.
 */
public final class ClusterCredential {

    public static final String SENDER_HEADER = "X-Replication-Sender";
    public static final String RECIPIENT_HEADER = "X-Replication-Recipient";
    public static final String CLUSTER_HEADER = "X-Replication-Cluster";
    public static final String TIMESTAMP_HEADER = "X-Replication-Timestamp";
    public static final String NONCE_HEADER = "X-Replication-Nonce";
    public static final String SIGNATURE_HEADER = "X-Replication-Signature";
    /** Base64url SHA-256 of the body; covered by the signature. */
    public static final String DIGEST_HEADER = "X-Replication-Content-SHA256";

    private static final String ALGORITHM = "HmacSHA256";
    private static final long SWEEP_INTERVAL_MILLIS = 1000;

    private final String clusterId;
    private final SecretKeySpec key;
    private final Duration clockWindow;
    private final Clock clock;
    private final ThreadLocal<Mac> macs;
    private final ThreadLocal<MessageDigest> digests = ThreadLocal.withInitial(ClusterCredential::newDigest);
    /** Nonces seen, with the time after which their timestamp is outside the window anyway. */
    private final ConcurrentHashMap<String, Long> seenNonces = new ConcurrentHashMap<>();

    private final AtomicLong nextSweep = new AtomicLong();

    public ClusterCredential(String clusterId, ClusterSecret secret, Duration clockWindow, Clock clock) {
        this.clusterId = clusterId;
        this.key = new SecretKeySpec(secret.keyFor(clusterId), ALGORITHM);
        this.clockWindow = clockWindow;
        this.clock = clock;
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** Headers that authenticate a request from {@code senderId} carrying {@code body}. */
    public Map<String, String> sign(String senderId, String recipientId, String target, byte[] body) {
        String timestamp = Long.toString(clock.millis());
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String nonce = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SENDER_HEADER, senderId);
        headers.put(RECIPIENT_HEADER, recipientId);
        headers.put(CLUSTER_HEADER, clusterId);
        headers.put(TIMESTAMP_HEADER, timestamp);
        headers.put(NONCE_HEADER, nonce);
        String digest = digest(body);
        headers.put(DIGEST_HEADER, digest);
        headers.put(SIGNATURE_HEADER, signature(senderId, recipientId, timestamp, nonce, target, digest));
        return headers;
    }

    /** {@link #verifyHeaders} and then {@link #verifyBody}, for a body already at hand. */
    public String verify(
            UnaryOperator<String> headers, String localNodeId, Set<String> knownSenders, String target, byte[] body) {
        String sender = verifyHeaders(headers, localNodeId, knownSenders, target);
        verifyBody(sender, headers.apply(DIGEST_HEADER), body);
        return sender;
    }

    /**
     * Checks the headers of a request received by {@code localNodeId}, before its body is read,
     * and returns the authenticated sender id. The body must then pass {@link #verifyBody}.
     *
     * @param headers looks a request header up by name (null when absent)
     * @param knownSenders the peers this node is configured with
     * @param target the path below the versioned prefix, e.g. {@code messages}
     */
    public String verifyHeaders(
            UnaryOperator<String> headers, String localNodeId, Set<String> knownSenders, String target) {
        String sender = required(headers, SENDER_HEADER);
        String recipient = required(headers, RECIPIENT_HEADER);
        String cluster = required(headers, CLUSTER_HEADER);
        String timestamp = required(headers, TIMESTAMP_HEADER);
        String nonce = required(headers, NONCE_HEADER);
        String signature = required(headers, SIGNATURE_HEADER);
        String digest = required(headers, DIGEST_HEADER);
        if (!clusterId.equals(cluster)) {
            throw new PeerAuthenticationException(
                    409,
                    "Wrong cluster",
                    "request from " + sender + " is for cluster '" + cluster + "' but node "
                            + localNodeId + " belongs to cluster '" + clusterId + "'; check"
                            + " replication.cluster-id and replication.peers on both nodes");
        }
        if (!knownSenders.contains(sender)) {
            throw new PeerAuthenticationException(
                    403,
                    "Unknown peer",
                    "sender '" + sender + "' is not a configured peer of node " + localNodeId + " (peers: "
                            + knownSenders + "); add it to the cluster configuration first");
        }
        if (!localNodeId.equals(recipient)) {
            throw new PeerAuthenticationException(
                    421,
                    "Misdirected peer request",
                    "request from " + sender + " is addressed to node '" + recipient
                            + "' but reached node '" + localNodeId + "'; check the URL of '" + recipient
                            + "' in replication.peers on " + sender);
        }
        long sentAt = parseTimestamp(timestamp);
        long now = clock.millis();
        if (Math.abs(now - sentAt) > clockWindow.toMillis()) {
            throw unauthorized("request from " + sender + " has a timestamp " + (now - sentAt)
                    + " ms away from this node's clock, outside the accepted window of "
                    + clockWindow.toMillis() + " ms; synchronise the nodes' clocks (NTP)");
        }
        String expected = signature(sender, recipient, timestamp, nonce, target, digest);
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            throw unauthorized("request from " + sender + " has an invalid signature; every"
                    + " node must be configured with the same replication.peer.cluster-secret");
        }
        sweepExpiredNonces(now);
        if (seenNonces.putIfAbsent(nonce, sentAt + clockWindow.toMillis()) != null) {
            throw unauthorized("request from " + sender + " reuses nonce " + nonce
                    + " already seen within the replay window: replayed requests are refused");
        }
        return sender;
    }

    /**
     * Checks that {@code body} is the one whose digest ({@link #DIGEST_HEADER}) the headers
     * passed to {@link #verifyHeaders} carry; a different body fails as an invalid signature.
     */
    public void verifyBody(String sender, String signedDigest, byte[] body) {
        if (!MessageDigest.isEqual(
                signedDigest.getBytes(StandardCharsets.US_ASCII), digest(body).getBytes(StandardCharsets.US_ASCII))) {
            throw unauthorized("request from " + sender + " has an invalid signature: its body"
                    + " is not the one the signature covers (" + DIGEST_HEADER + ")");
        }
    }

    public String clusterId() {
        return clusterId;
    }

    private String signature(
            String sender, String recipient, String timestamp, String nonce, String target, String digest) {
        Mac mac = macs.get();
        String signed =
                String.join("\n", "replication-v2", clusterId, sender, recipient, timestamp, nonce, target, digest);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    private String digest(byte[] body) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(digests.get().digest(body));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException(
                    "SHA-256 is not available in this JVM; peer" + " authentication needs it", unavailable);
        }
    }

    private void sweepExpiredNonces(long now) {
        long due = nextSweep.get();
        if (now >= due && nextSweep.compareAndSet(due, now + SWEEP_INTERVAL_MILLIS)) {
            seenNonces.values().removeIf(expiresAt -> expiresAt < now);
        }
    }

    private static String required(UnaryOperator<String> headers, String name) {
        String value = headers.apply(name);
        if (value == null || value.isBlank()) {
            throw unauthorized("peer request without the " + name + " header: every peer"
                    + " request must carry a cluster credential; is the sender a replication"
                    + " node of a compatible version?");
        }
        return value;
    }

    private static long parseTimestamp(String timestamp) {
        try {
            return Long.parseLong(timestamp);
        } catch (NumberFormatException malformed) {
            throw unauthorized(
                    "peer request with a malformed " + TIMESTAMP_HEADER + " header; expected epoch milliseconds");
        }
    }

    private static PeerAuthenticationException unauthorized(String detail) {
        return new PeerAuthenticationException(401, "Invalid cluster credential", detail);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException(
                    ALGORITHM + " is not available in this JVM; peer" + " authentication needs it", unavailable);
        }
    }

    @Override
    public String toString() {
        return "ClusterCredential[cluster=" + clusterId + ", window=" + clockWindow + "]";
    }
}
