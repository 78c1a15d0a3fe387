package dev.replication.transport.servlet;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.transport.Http2PeerTransport;
import dev.replication.transport.InboundRequests;
import dev.replication.transport.PeerAuthenticationException;
import dev.replication.transport.UnsupportedWireVersionException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * The server half of the peer transport, in the application's own web server (and so below its
 * context path): {@code POST /replication/v1/messages} takes a batch of one-way messages and
 * answers 204 once they are accepted (handed to the handler in the sender's order);
 * {@code POST /replication/v1/call/{operation}} hands a body to the handler and
 * answers with its bytes. Both take {@code application/octet-stream}; errors are RFC 9457
 * problem details.
 *
 * <p>Every request is authenticated by {@link InboundRequests} (the cluster credential) before
 * anything else: the handler never sees an unauthenticated, foreign or replayed request. This
 * class only maps HTTP onto those calls. Not component-scanned by design: the
 * auto-configuration registers it as a bean beside the {@link Http2PeerTransport} it serves.
 */
@RestController
@RequestMapping("/replication/v1")
public class PeerEndpoint {

    private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);

    /** The largest peer request body accepted: batches are about 1 MiB, one entry may be more. */
    public static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private final InboundRequests inbound;

    public PeerEndpoint(Http2PeerTransport transport) {
        this.inbound = transport.inboundRequests();
    }

    @PostMapping("/messages")
    public ResponseEntity<Void> messages(HttpServletRequest request) throws IOException {
        byte[] bytes = readBody(request);
        String sender = authenticate(request, "messages", bytes);
        inbound.acceptMessages(sender, bytes);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/call/{operation}")
    public CompletableFuture<ResponseEntity<Object>> call(@PathVariable String operation,
            HttpServletRequest request) throws IOException {
        byte[] bytes = readBody(request);
        String sender = authenticate(request, "call/" + operation, bytes);
        CompletableFuture<byte[]> answer = inbound.call(sender, operation, bytes);
        return answer.handle((response, failure) -> {
            if (failure == null) {
                return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .body((Object) (response == null ? new byte[0] : response));
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            log.debug("Call {} from {} failed on node {}", operation, sender, inbound.nodeId(),
                    cause);
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Peer call failed", "node "
                    + inbound.nodeId() + " failed call " + operation + " from " + sender + ": "
                    + cause.getMessage() + "; the outcome is unknown to the caller");
        });
    }

    @ExceptionHandler(PeerAuthenticationException.class)
    ResponseEntity<Object> refused(PeerAuthenticationException refused,
            HttpServletRequest request) {
        log.warn("Refused peer request {} {} on node {}: {}", request.getMethod(),
                request.getRequestURI(), inbound.nodeId(), refused.getMessage());
        return problem(HttpStatus.valueOf(refused.status()), refused.title(),
                refused.getMessage());
    }

    @ExceptionHandler(UnsupportedWireVersionException.class)
    ResponseEntity<Object> unsupportedVersion(UnsupportedWireVersionException unsupported) {
        ResponseEntity<Object> response = problem(HttpStatus.BAD_REQUEST,
                "Unsupported wire format version", unsupported.getMessage());
        ProblemDetail detail = (ProblemDetail) response.getBody();
        detail.setProperty("versionSeen", unsupported.versionSeen());
        detail.setProperty("supportedVersions", unsupported.supportedVersions());
        return response;
    }

    @ExceptionHandler(MalformedEncodingException.class)
    ResponseEntity<Object> malformed(MalformedEncodingException malformed) {
        return problem(HttpStatus.BAD_REQUEST, "Malformed peer message", malformed.getMessage());
    }

    @ExceptionHandler(InboundRequests.NotStartedException.class)
    ResponseEntity<Object> notStarted(InboundRequests.NotStartedException notStarted) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                .header(InboundRequests.NOT_DELIVERED_HEADER, "true")
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(detail(HttpStatus.SERVICE_UNAVAILABLE, "Node not started",
                        notStarted.getMessage()));
    }

    /** The handler took a call but did not answer within the server's async request timeout. */
    @ExceptionHandler(AsyncRequestTimeoutException.class)
    ResponseEntity<Object> unanswered(AsyncRequestTimeoutException timeout,
            HttpServletRequest request) {
        return problem(HttpStatus.GATEWAY_TIMEOUT, "Peer call unanswered", "node "
                + inbound.nodeId() + " did not answer " + request.getRequestURI()
                + " within the server's async request timeout (spring.mvc.async.request-timeout);"
                + " the outcome is unknown: use a shorter call timeout than the server's");
    }

    /**
     * Reads at most {@link #MAX_BODY_BYTES}: the body must be read to check its signature, and
     * an unauthenticated sender must not make this node buffer an unbounded one.
     */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            throw new BodyTooLargeException(declared);
        }
        byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new BodyTooLargeException(body.length);
        }
        return body;
    }

    private String authenticate(HttpServletRequest request, String target, byte[] body) {
        return inbound.authenticate(request::getHeader, target, body);
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String title, String text) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(detail(status, title, text));
    }

    private static ProblemDetail detail(HttpStatus status, String title, String text) {
        ProblemDetail detail = ProblemDetail.forStatusAndDetail(status, text);
        detail.setTitle(title);
        detail.setType(URI.create("urn:replication:peer:" + title.toLowerCase().replace(' ', '-')));
        return detail;
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ResponseEntity<Object> tooLarge(BodyTooLargeException tooLarge) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "Peer request too large",
                tooLarge.getMessage());
    }

    /** A peer request body above {@link #MAX_BODY_BYTES}. */
    static final class BodyTooLargeException extends RuntimeException {
        BodyTooLargeException(long size) {
            super("peer request body of " + size + " bytes exceeds the limit of " + MAX_BODY_BYTES
                    + " bytes; a single log entry or call body must stay below it");
        }
    }
}
