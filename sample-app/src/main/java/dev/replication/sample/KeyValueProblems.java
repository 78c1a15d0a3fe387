package dev.replication.sample;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The sample's own failures as RFC 9457 problem details: 404 for an absent key, 400 and 413 for
 * a request refused before it reached the replicated map, 503 when this node sheds load, 504
 * when the web server stops waiting for an answer (the outcome is then unknown). The
 * starter answers its exceptions itself (503 with {@code Retry-After} not applied, 504 {@code outcome-unknown}, 409, 413, 422),
 * with the same problem types.
 *
 * <p>Extends {@link ResponseEntityExceptionHandler} so Spring MVC's own errors (unknown path,
 * wrong method) are problem details too.
 */
@RestControllerAdvice
public class KeyValueProblems extends ResponseEntityExceptionHandler {

    /** Problem types are URNs: stable names a client can switch on, not pages to fetch. */
    static final String TYPE_PREFIX = "urn:problem-type:replication:";

    /** Seconds a client should wait before retrying a shed request. */
    static final String RETRY_AFTER_SECONDS = "1";

    @ExceptionHandler(RejectedRequestException.class)
    ResponseEntity<ProblemDetail> rejected(RejectedRequestException e) {
        return problem(e.status(), "invalid-request", e.title(), e.getMessage());
    }

    @ExceptionHandler(NoSuchKeyException.class)
    ResponseEntity<ProblemDetail> noSuchKey(NoSuchKeyException e) {
        ProblemDetail problem = detail(HttpStatus.NOT_FOUND, "no-such-key", "No such key", e.getMessage());
        problem.setProperty("key", e.key());
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }

    /** More requests in progress than this node serves at once: shed at once, nothing changed. */
    @ExceptionHandler(RequestAdmission.OverloadedException.class)
    ResponseEntity<ProblemDetail> overloaded(RequestAdmission.OverloadedException e) {
        ProblemDetail problem = detail(
                HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "Node overloaded, nothing changed", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    /**
     * The web server stopped waiting for a request's answer: its async request timeout passed,
     * or it is stopping (Tomcat times out every request still waiting when its connector stops).
     * The map call may still be under way, so a write may yet be applied: 504 outcome unknown,
     * never Spring's default 503, which this API reserves for "nothing changed".
     */
    @Override
    protected ResponseEntity<Object> handleAsyncRequestTimeoutException(
            AsyncRequestTimeoutException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = detail(
                HttpStatus.GATEWAY_TIMEOUT,
                "outcome-unknown",
                "Outcome unknown",
                "This node stopped waiting for the answer (it is shutting down, or the server's async request"
                        + " timeout passed); a write may or may not be applied. Read the key before retrying, or"
                        + " retry with the same Idempotency-Key.");
        return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(problem);
    }

    private static ResponseEntity<ProblemDetail> problem(
            HttpStatus status, String type, String title, @Nullable String detail) {
        return ResponseEntity.status(status).body(detail(status, type, title, detail));
    }

    private static ProblemDetail detail(HttpStatus status, String type, String title, @Nullable String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title);
        return problem;
    }
}
