package dev.replication.transport.servlet;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.transport.ClusterCredential;
import dev.replication.transport.Http2PeerTransport;
import dev.replication.transport.InboundRequests;
import dev.replication.transport.PeerAuthenticationException;
import dev.replication.transport.UnsupportedWireVersionException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
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
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The server half of the peer transport, in the application's own web server (and so below its
 * context path): {@code POST /replication/v1/messages} takes a batch of one-way messages and
 * answers 204 once they are accepted (handed to the handler in the sender's order);
 * {@code POST /replication/v1/call/{operation}} hands a body to the handler and
 * answers with its bytes. Both take {@code application/octet-stream}; errors are RFC 9457
 * problem details.
 *
 * <p>Every request is authenticated by {@link InboundRequests} (the cluster credential) on its
 * headers, on the request thread, before a byte of its body is read: the handler never sees an
 * unauthenticated, foreign or replayed request, and such a request costs no buffer. An
 * authenticated request is then admitted (a bounded number per sender) and answered
 * asynchronously: its body is read and handled on the transport's own peer executor, so no
 * web-server request thread, which client requests share, waits for peer work, and peer work
 * never waits for one longer than it takes to check the headers. This class only maps HTTP
 * onto those calls. Not component-scanned by design: the auto-configuration registers it as a
 * bean beside the {@link Http2PeerTransport} it serves.
 */
@RestController
@RequestMapping("/replication/v1")
public class PeerEndpoint {

    private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);

    private final InboundRequests inbound;

    public PeerEndpoint(Http2PeerTransport transport) {
        this.inbound = transport.inboundRequests();
    }

    @PostMapping("/messages")
    public DeferredResult<ResponseEntity<Object>> messages(HttpServletRequest request) {
        return handle(request, "messages", (sender, bytes) -> {
            inbound.acceptMessages(sender, bytes);
            return CompletableFuture.completedFuture(ResponseEntity.noContent().build());
        });
    }

    @PostMapping("/call/{operation}")
    public DeferredResult<ResponseEntity<Object>> call(@PathVariable String operation, HttpServletRequest request) {
        return handle(
                request,
                "call/" + operation,
                (sender, bytes) -> inbound.call(sender, operation, bytes)
                        .handle((response, failure) -> answer(operation, sender, response, failure)));
    }

    /**
     * On the request thread: the declared length and the headers' credential, then admission;
     * on the peer executor: the body (bounded), its digest, and {@code work}. The permit is
     * released when the exchange ends, however it ends (answered, failed, timed out).
     */
    private DeferredResult<ResponseEntity<Object>> handle(HttpServletRequest request, String target, Work work) {
        long declared = request.getContentLengthLong();
        if (declared > inbound.maxBodyBytes()) {
            throw new BodyTooLargeException(declared, inbound.maxBodyBytes());
        }
        UnaryOperator<String> headers = request::getHeader;
        String sender = inbound.authenticate(headers, target);
        // Read here: the executor touches nothing of the request but its body.
        String signedDigest = request.getHeader(ClusterCredential.DIGEST_HEADER);
        InboundRequests.Permit permit = inbound.admit(sender);
        DeferredResult<ResponseEntity<Object>> result = new DeferredResult<>();
        result.onCompletion(permit::release);
        try {
            inbound.execute(() -> {
                try {
                    byte[] bytes = readBody(request);
                    inbound.verifyBody(sender, signedDigest, bytes);
                    work.run(sender, bytes).whenComplete((response, failure) -> {
                        if (failure == null) {
                            result.setResult(response);
                        } else {
                            result.setErrorResult(unwrap(failure));
                        }
                    });
                } catch (IOException | RuntimeException failure) {
                    result.setErrorResult(failure);
                }
            });
        } catch (RuntimeException refused) {
            permit.release();
            throw refused;
        }
        return result;
    }

    private ResponseEntity<Object> answer(
            String operation, String sender, byte @Nullable [] response, @Nullable Throwable failure) {
        if (failure == null) {
            return ResponseEntity.ok()
                    .contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .body((Object) (response == null ? new byte[0] : response));
        }
        Throwable cause = unwrap(failure);
        log.debug("Call {} from {} failed on node {}", operation, sender, inbound.nodeId(), cause);
        return problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "Peer call failed",
                "node "
                        + inbound.nodeId() + " failed call " + operation + " from " + sender + ": "
                        + cause.getMessage() + "; the outcome is unknown to the caller");
    }

    @ExceptionHandler(PeerAuthenticationException.class)
    ResponseEntity<Object> refused(PeerAuthenticationException refused, HttpServletRequest request) {
        log.warn(
                "Refused peer request {} {} on node {}: {}",
                request.getMethod(),
                request.getRequestURI(),
                inbound.nodeId(),
                refused.getMessage());
        return problem(HttpStatus.valueOf(refused.status()), refused.title(), refused.getMessage());
    }

    @ExceptionHandler(UnsupportedWireVersionException.class)
    ResponseEntity<Object> unsupportedVersion(UnsupportedWireVersionException unsupported) {
        ProblemDetail detail =
                detail(HttpStatus.BAD_REQUEST, "Unsupported wire format version", unsupported.getMessage());
        detail.setProperty("versionSeen", unsupported.versionSeen());
        detail.setProperty("supportedVersions", unsupported.supportedVersions());
        return problem(HttpStatus.BAD_REQUEST, detail);
    }

    @ExceptionHandler(MalformedEncodingException.class)
    ResponseEntity<Object> malformed(MalformedEncodingException malformed) {
        return problem(HttpStatus.BAD_REQUEST, "Malformed peer message", malformed.getMessage());
    }

    @ExceptionHandler(InboundRequests.NotStartedException.class)
    ResponseEntity<Object> notStarted(InboundRequests.NotStartedException notStarted) {
        return notDelivered("Node not started", notStarted.getMessage());
    }

    /** Too many requests of this sender in progress: refused at once, before any processing. */
    @ExceptionHandler(InboundRequests.OverloadedException.class)
    ResponseEntity<Object> overloaded(InboundRequests.OverloadedException overloaded) {
        log.debug("Refused a peer request on node {}: {}", inbound.nodeId(), overloaded.getMessage());
        return notDelivered("Peer requests limited", overloaded.getMessage());
    }

    /** The handler took a call but did not answer within the server's async request timeout. */
    @ExceptionHandler(AsyncRequestTimeoutException.class)
    ResponseEntity<Object> unanswered(AsyncRequestTimeoutException timeout, HttpServletRequest request) {
        return problem(
                HttpStatus.GATEWAY_TIMEOUT,
                "Peer call unanswered",
                "node "
                        + inbound.nodeId() + " did not answer " + request.getRequestURI()
                        + " within the server's async request timeout (spring.mvc.async.request-timeout);"
                        + " the outcome is unknown: use a shorter call timeout than the server's");
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ResponseEntity<Object> tooLarge(BodyTooLargeException tooLarge) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "Peer request too large", tooLarge.getMessage());
    }

    /** Reads at most the limit (plus one byte, to tell a body just above it). */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        int limit = inbound.maxBodyBytes();
        byte[] body = request.getInputStream().readNBytes(limit + 1);
        if (body.length > limit) {
            throw new BodyTooLargeException(body.length, limit);
        }
        return body;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** A 503 the sender may retry: the handler certainly did not run. */
    private static ResponseEntity<Object> notDelivered(String title, @Nullable String text) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", "1")
                .header(InboundRequests.NOT_DELIVERED_HEADER, "true")
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(detail(HttpStatus.SERVICE_UNAVAILABLE, title, text));
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String title, @Nullable String text) {
        return problem(status, detail(status, title, text));
    }

    private static ResponseEntity<Object> problem(HttpStatus status, ProblemDetail detail) {
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(detail);
    }

    // No text (an exception without a message): a problem without a detail member.
    private static ProblemDetail detail(HttpStatus status, String title, @Nullable String text) {
        ProblemDetail detail = ProblemDetail.forStatusAndDetail(status, text);
        detail.setTitle(title);
        detail.setType(URI.create("urn:replication:peer:" + title.toLowerCase().replace(' ', '-')));
        return detail;
    }

    /** What a request does once its body is read and checked. */
    @FunctionalInterface
    private interface Work {
        CompletableFuture<ResponseEntity<Object>> run(String sender, byte[] body);
    }

    /** A peer request body above the limit. */
    static final class BodyTooLargeException extends RuntimeException {
        BodyTooLargeException(long size, int limit) {
            super("peer request body of " + size + " bytes exceeds the limit of " + limit
                    + " bytes; a single log entry or call body must stay below it");
        }
    }
}
