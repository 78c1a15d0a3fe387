package dev.replication.sample;

import org.springframework.http.HttpStatus;

/**
 * A request the API refuses before it reaches the replicated map (malformed or too large);
 * nothing was written. The detail tells the client what to change.
 */
class RejectedRequestException extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    RejectedRequestException(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }
}
