package dev.replication.transport;

import dev.replication.codec.MalformedEncodingException;
import dev.replication.core.Message;
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
 * answers 204 once they are accepted (handed to the handler in the sender's order, see
 * {@link InboundSequencer});
 * {@code POST /replication/v1/call/{operation}} hands a body to the handler and
 * answers with its bytes. Both take {@code application/octet-stream}; errors are RFC 9457
 * problem details.
 *
 * <p>Every request is checked by the {@link ClusterCredential} before anything else: the
 * handler never sees an unauthenticated, foreign or replayed request. Not component-scanned by
 * design: the auto-configuration registers it as a bean beside the {@link Http2PeerTransport}
 * it serves.
 */
@RestController
@RequestMapping("/replication/v1")
public class PeerEndpoint {

    private static final Logger log = LoggerFactory.getLogger(PeerEndpoint.class);

    /** The largest peer request body accepted: batches are about 1 MiB, one entry may be more. */
    public static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private final Http2PeerTransport transport;

    public PeerEndpoint(Http2PeerTransport transport) {
        this.transport = transport;
    }

    @PostMapping("/messages")
    public ResponseEntity<Void> messages(HttpServletRequest request) throws IOException {
        byte[] bytes = readBody(request);
        String sender = authenticate(request, "messages", bytes);
        InboundHandler handler = startedHandler();
        MessageCodec.MessageBatch batch = transport.codec().decodeOrderedBatch(bytes);
        for (Message message : batch.messages()) {
            checkAddressing(sender, message);
        }
        transport.sequencer().accept(sender, batch.order(), batch.messages(), message -> {
            try {
                handler.onMessage(message);
            } catch (RuntimeException failure) {
                log.warn("Node {} failed to take {} from {}; it is dropped and the sender's core"
                        + " will retry", transport.nodeId(), message.getClass().getSimpleName(),
                        sender, failure);
            }
        });
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/call/{operation}")
    public CompletableFuture<ResponseEntity<Object>> call(@PathVariable String operation,
            HttpServletRequest request) throws IOException {
        byte[] bytes = readBody(request);
        String sender = authenticate(request, "call/" + operation, bytes);
        InboundHandler handler = startedHandler();
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.onCall(sender, operation, bytes);
        } catch (RuntimeException failure) {
            answer = CompletableFuture.failedFuture(failure);
        }
        if (answer == null) {
            answer = CompletableFuture.failedFuture(new IllegalStateException(
                    "the inbound handler returned no future for call " + operation));
        }
        return answer.handle((response, failure) -> {
            if (failure == null) {
                return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .body((Object) (response == null ? new byte[0] : response));
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            log.debug("Call {} from {} failed on node {}", operation, sender, transport.nodeId(),
                    cause);
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Peer call failed", "node "
                    + transport.nodeId() + " failed call " + operation + " from " + sender + ": "
                    + cause.getMessage() + "; the outcome is unknown to the caller");
        });
    }

    @ExceptionHandler(PeerAuthenticationException.class)
    ResponseEntity<Object> refused(PeerAuthenticationException refused,
            HttpServletRequest request) {
        log.warn("Refused peer request {} {} on node {}: {}", request.getMethod(),
                request.getRequestURI(), transport.nodeId(), refused.getMessage());
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

    @ExceptionHandler(NotStartedException.class)
    ResponseEntity<Object> notStarted(NotStartedException notStarted) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "1")
                .header(Http2PeerTransport.NOT_DELIVERED_HEADER, "true")
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(detail(HttpStatus.SERVICE_UNAVAILABLE, "Node not started",
                        notStarted.getMessage()));
    }

    /** The handler took a call but did not answer within the server's async request timeout. */
    @ExceptionHandler(AsyncRequestTimeoutException.class)
    ResponseEntity<Object> unanswered(AsyncRequestTimeoutException timeout,
            HttpServletRequest request) {
        return problem(HttpStatus.GATEWAY_TIMEOUT, "Peer call unanswered", "node "
                + transport.nodeId() + " did not answer " + request.getRequestURI()
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
        return transport.credential().verify(request::getHeader, transport.nodeId(),
                transport.peerIds(), target, body);
    }

    private InboundHandler startedHandler() {
        InboundHandler handler = transport.handler();
        if (handler == null) {
            throw new NotStartedException("node " + transport.nodeId() + " has not started its"
                    + " peer transport yet; retry shortly");
        }
        return handler;
    }

    private void checkAddressing(String sender, Message message) {
        if (!sender.equals(message.from())) {
            throw new PeerAuthenticationException(403, "Sender mismatch", "request authenticated"
                    + " as " + sender + " carries a " + message.getClass().getSimpleName()
                    + " from " + message.from() + "; a node may only send its own messages");
        }
        if (!transport.nodeId().equals(message.to())) {
            throw new PeerAuthenticationException(421, "Misdirected peer message", "a "
                    + message.getClass().getSimpleName() + " for " + message.to()
                    + " reached node " + transport.nodeId() + "; check replication.peers on "
                    + sender);
        }
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

    /** The endpoint is up but its transport has no handler yet. */
    static final class NotStartedException extends RuntimeException {
        NotStartedException(String message) {
            super(message);
        }
    }
}
