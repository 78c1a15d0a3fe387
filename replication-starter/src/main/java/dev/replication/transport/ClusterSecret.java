package dev.replication.transport;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The shared secret from which every peer request's {@link ClusterCredential} is derived
 * ({@code replication.peer.cluster-secret}). Holds the key only: its {@code toString} never reveals
 * it, so settings, logs and Actuator output that print it stay safe.
 */
public final class ClusterSecret {

    /** Shorter secrets are refused for a multi-node cluster: they can be guessed offline. */
    public static final int MINIMUM_LENGTH = 16;

    private static final ClusterSecret NONE = new ClusterSecret(null);

    /** Null for {@link #none()}. */
    private final byte @Nullable [] key;

    private ClusterSecret(byte @Nullable [] key) {
        this.key = key;
    }

    /** The configured secret; blank means "none" (see {@link #requireForCluster}). */
    public static ClusterSecret of(@Nullable String secret) {
        if (secret == null || secret.isBlank()) {
            return NONE;
        }
        return new ClusterSecret(secret.getBytes(StandardCharsets.UTF_8));
    }

    public static ClusterSecret none() {
        return NONE;
    }

    public boolean isPresent() {
        return key != null;
    }

    /**
     * Fails with a clear message when a cluster of more than one member has no secret (or one
     * shorter than {@link #MINIMUM_LENGTH}), unless {@code allowInsecure} was set explicitly for
     * local development. A single node, or a node whose peers name only itself, needs none. The
     * message says what is wrong; the caller, which knows the configuration, says how to fix it.
     */
    public static void requireForCluster(
            String nodeId, Collection<String> memberIds, ClusterSecret secret, boolean allowInsecure) {
        Set<String> others = new TreeSet<>(memberIds);
        others.remove(nodeId);
        if (others.isEmpty() || allowInsecure) {
            return;
        }
        if (secret.key == null) {
            throw new IllegalStateException("node " + nodeId + " is configured with peers "
                    + others + " but no replication.peer.cluster-secret: anyone who can reach the"
                    + " peer endpoints could inject log entries or votes");
        }
        if (secret.key.length < MINIMUM_LENGTH) {
            throw new IllegalStateException("replication.peer.cluster-secret of node " + nodeId + " is shorter than "
                    + MINIMUM_LENGTH + " bytes and could be guessed");
        }
    }

    /** The HMAC key; without a secret a key derived from the cluster id (not secure). */
    byte[] keyFor(String clusterId) {
        return key != null ? key.clone() : ("insecure-cluster:" + clusterId).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return key != null ? "ClusterSecret[****]" : "ClusterSecret[none]";
    }
}
