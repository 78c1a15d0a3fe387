package dev.replication.spring;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * One node's URL in {@code replication.peers}, checked so that each usual mistake gets its own
 * message: no scheme, {@code https://} (no TLS yet), a bad port, no host, a space where a comma
 * belongs. {@link URI} alone reports most of these as "no host".
 */
final class PeerUrl {

    private PeerUrl() {}

    /** The URL of node {@code id}, without a trailing slash. */
    static URI parse(String id, String url) {
        if (url.chars().anyMatch(Character::isWhitespace)) {
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id
                            + "' contains a space: replication.peers separates its entries with commas",
                    "Separate the entries of replication.peers with commas, e.g. n1=http://node1:8080,"
                            + "n2=http://node2:8080");
        }
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!trimmed.contains("://")) {
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id + "' has no scheme",
                    "Write the URL of node '" + id + "' with its scheme: add http://, as in" + " http://"
                            + stripLeadingSlashes(trimmed));
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id + "' is malformed: " + e.getMessage(),
                    "Write the URL of node '" + id + "' as http://host:port (with any context path)",
                    e);
        }
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            // Refused rather than sent: the transport would speak cleartext HTTP/2 to it.
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id
                            + "' uses https://, but the peer transport has no TLS yet: it would send the cluster's"
                            + " traffic to that port in cleartext",
                    "Use http:// peer URLs (http://"
                            + uri.getRawSchemeSpecificPart().substring(2) + ") on a network only the cluster's nodes"
                            + " can reach, or put a TLS tunnel between the nodes; TLS for peer traffic comes with a"
                            + " later release");
        }
        if (!"http".equals(uri.getScheme())) {
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id + "' must start with http://",
                    "Write the URL of node '" + id + "' as http://host:port (with any context path)");
        }
        checkAuthority(id, url, uri);
        return uri;
    }

    private static void checkAuthority(String id, String url, URI uri) {
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String hostAndPort = authority.substring(authority.indexOf('@') + 1);
        int colon = hostAndPort.lastIndexOf(':');
        boolean hasPort = colon >= 0 && colon > hostAndPort.lastIndexOf(']');
        String host = hasPort ? hostAndPort.substring(0, colon) : hostAndPort;
        if (hasPort) {
            String port = hostAndPort.substring(colon + 1);
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new ReplicationConfigurationException(
                        "replication.peers URL '" + url + "' of node '" + id + "' has the port '" + port
                                + "', which is not a port number",
                        "Give node '" + id + "' a port from 1 to 65535, as in http://"
                                + (host.isEmpty() ? "node1" : host) + ":8080");
            }
        }
        if (host.isEmpty()) {
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id + "' has no host",
                    "Write the URL of node '" + id + "' as http://host:port");
        }
        if (uri.getHost() == null) {
            throw new ReplicationConfigurationException(
                    "replication.peers URL '" + url + "' of node '" + id + "' names the host '" + host
                            + "', which is not a valid host name",
                    "Name the host of node '" + id
                            + "' with letters, digits, '-' and '.' only (no '_'), or give its IP address");
        }
    }

    private static String stripLeadingSlashes(String url) {
        int start = 0;
        while (start < url.length() && url.charAt(start) == '/') {
            start++;
        }
        return url.substring(start);
    }
}
