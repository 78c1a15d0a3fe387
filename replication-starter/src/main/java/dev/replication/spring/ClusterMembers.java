package dev.replication.spring;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parsed {@code replication.peers} seed list: node id to base URL (including any context
 * path), in the order given. Parsing fails with a {@link ReplicationConfigurationException} that
 * says which part to fix.
 */
public record ClusterMembers(Map<String, URI> peers) {

    public ClusterMembers {
        peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    }

    /**
     * Parses {@code "n1=http://host1:8080,n2=http://host2:8080"}. Blank means no peers (a
     * cluster of one).
     */
    public static ClusterMembers parse(String peers) {
        Map<String, URI> parsed = new LinkedHashMap<>();
        if (peers == null || peers.isBlank()) {
            return new ClusterMembers(parsed);
        }
        if (peers.indexOf(';') >= 0) {
            throw new ReplicationConfigurationException(
                    "replication.peers '" + peers + "' separates its entries" + " with ';'",
                    "Separate the entries of replication.peers with commas: "
                            + peers.trim().replaceAll("\\s*;\\s*", ","));
        }
        for (String part : peers.split(",")) {
            String pair = part.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0 || equals == pair.length() - 1) {
                throw new ReplicationConfigurationException(
                        "replication.peers entry '" + pair + "' is not of the form id=url",
                        "Write every entry of replication.peers as id=url,"
                                + " separated by commas, e.g. n1=http://node1:8080,n2=http://node2:8080");
            }
            String id = pair.substring(0, equals).trim();
            String url = pair.substring(equals + 1).trim();
            if (!id.matches("[A-Za-z0-9._-]+")) {
                throw new ReplicationConfigurationException(
                        "replication.peers node id '" + id
                                + "' contains characters other than letters, digits, '.', '_' and '-'",
                        "Rename the node in replication.peers (and its replication.node-id) using only"
                                + " letters, digits, '.', '_' and '-'");
            }
            URI uri = PeerUrl.parse(id, url);
            if (parsed.putIfAbsent(id, uri) != null) {
                throw new ReplicationConfigurationException(
                        "replication.peers lists node id '" + id + "' twice",
                        "List every node id once in replication.peers");
            }
        }
        Map<URI, String> byUrl = new LinkedHashMap<>();
        parsed.forEach((id, uri) -> {
            String other = byUrl.putIfAbsent(uri, id);
            if (other != null) {
                throw new ReplicationConfigurationException(
                        "replication.peers gives nodes '" + other + "' and '" + id + "' the same URL " + uri,
                        "Give every node in replication.peers its own address");
            }
        });
        return new ClusterMembers(parsed);
    }

    public boolean isEmpty() {
        return peers.isEmpty();
    }

    public boolean contains(String nodeId) {
        return peers.containsKey(nodeId);
    }

    /**
     * A cluster id every fresh node computes alike from the same seed list: a hash of the
     * sorted id=url pairs.
     */
    public String derivedClusterId() {
        StringBuilder canonical = new StringBuilder();
        new TreeMap<>(peers)
                .forEach((id, uri) ->
                        canonical.append(id).append('=').append(uri).append(','));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return "c-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
