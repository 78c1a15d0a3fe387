package dev.replication.transport;

/**
 * A peer request refused before it reached the handler: unauthenticated (401), a sender not in
 * the configuration (403), a request meant for another cluster (409) or another node (421).
 * Messages name ids and reasons, never the secret or the signature expected.
 */
public class PeerAuthenticationException extends RuntimeException {

    private final int status;
    private final String title;

    public PeerAuthenticationException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
