package dev.replication.spring;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReplicationException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.UpdateContentionException;
import dev.replication.api.ValueSerializationException;
import dev.replication.api.VersionConflictException;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * The starter's exceptions, thrown in an application's own Spring MVC controllers, answered
 * with the RFC 9457 problem details the README documents, so a client can tell from the status
 * alone whether its write happened: 503 with {@code Retry-After} certainly not applied, 504
 * {@code outcome-unknown} maybe applied, 409 and 422 refused by the state machine, 413 refused
 * before reaching it. Problem types are {@code urn:problem-type:replication:<name>}.
 *
 * <p>The application keeps the last word: an {@code @ExceptionHandler} in its controller or in
 * its own advice is consulted first (this advice has the lowest precedence and is registered
 * after the application's beans), and a bean of this type replaces it. It handles
 * {@link ReplicationException} and its subclasses, and Spring MVC's
 * {@link AsyncRequestTimeoutException} (whose default 503 would say "nothing changed" about a
 * write that may still commit); everything else is left to the application and to Spring MVC.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ReplicationProblemDetails {

    /** Problem types are URNs: stable names a client can switch on, not pages to fetch. */
    public static final String TYPE_PREFIX = "urn:problem-type:replication:";

    /** Seconds a client should wait before retrying what was not applied. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private static final Logger log = LoggerFactory.getLogger(ReplicationProblemDetails.class);

    /**
     * Covers {@link NotAppliedException} (a write that never entered the log) and reads that
     * could not be served. A read is always "unavailable", whichever exception the map chose:
     * "not applied" means something only for a write.
     */
    @ExceptionHandler(ReplicationUnavailableException.class)
    public ResponseEntity<ProblemDetail> unavailable(ReplicationUnavailableException e, HttpMethod method) {
        boolean read = HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method);
        String type = !read && e instanceof NotAppliedException ? "not-applied" : "unavailable";
        ProblemDetail problem =
                problem(HttpStatus.SERVICE_UNAVAILABLE, type, "Cluster unavailable, nothing changed", e.getMessage());
        @Nullable String leaderId = e.leaderId();
        if (leaderId != null) {
            problem.setProperty("leaderId", leaderId);
        }
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    @ExceptionHandler(OutcomeUnknownException.class)
    public ResponseEntity<ProblemDetail> outcomeUnknown(OutcomeUnknownException e) {
        return answer(problem(
                HttpStatus.GATEWAY_TIMEOUT,
                "outcome-unknown",
                "Outcome unknown",
                e.getMessage()
                        + " The write may still be applied: read before retrying, or retry with the same idempotency key"
                        + " (for example the same Idempotency-Key header) where the API takes one."));
    }

    /**
     * The web server stopped waiting for an async answer (its async request timeout passed, or
     * it is stopping: Tomcat times out every request still waiting when its connector stops).
     * A map call may still be under way, so a write may yet be applied: 504 outcome unknown,
     * never Spring's default 503. A read changed nothing, so it is simply unavailable.
     */
    @ExceptionHandler(AsyncRequestTimeoutException.class)
    public ResponseEntity<ProblemDetail> serverStoppedWaiting(AsyncRequestTimeoutException e, HttpMethod method) {
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                    .body(problem(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "unavailable",
                            "Cluster unavailable, nothing changed",
                            "This node stopped waiting for the answer (it is shutting down, or the server's async"
                                    + " request timeout passed)."));
        }
        return outcomeUnknown(new OutcomeUnknownException("This node stopped waiting for the answer (it is shutting"
                + " down, or the server's async request timeout passed)."));
    }

    @ExceptionHandler(VersionConflictException.class)
    public ResponseEntity<ProblemDetail> versionConflict(VersionConflictException e) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "version-conflict", "Version conflict", e.getMessage());
        problem.setProperty("expectedVersion", e.expectedVersion());
        problem.setProperty("currentVersion", e.currentVersion());
        return answer(problem);
    }

    @ExceptionHandler(UpdateContentionException.class)
    public ResponseEntity<ProblemDetail> contention(UpdateContentionException e) {
        ProblemDetail problem =
                problem(HttpStatus.CONFLICT, "update-contention", "Too much contention on the key", e.getMessage());
        problem.setProperty("attempts", e.attempts());
        return answer(problem);
    }

    @ExceptionHandler(IdempotencyKeyConflictException.class)
    public ResponseEntity<ProblemDetail> idempotencyKeyReused(IdempotencyKeyConflictException e) {
        ProblemDetail problem = problem(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "idempotency-key-reused",
                "Idempotency key reused for a different request",
                e.getMessage());
        problem.setProperty("idempotencyKey", e.idempotencyKey());
        return answer(problem);
    }

    /** Over {@code replication.map.max-key-size} / {@code max-value-size}: nothing was written. */
    @ExceptionHandler(EntryTooLargeException.class)
    public ResponseEntity<ProblemDetail> entryTooLarge(EntryTooLargeException e) {
        ProblemDetail problem =
                problem(HttpStatus.CONTENT_TOO_LARGE, "entry-too-large", "Entry too large", e.getMessage());
        problem.setProperty("size", e.size());
        problem.setProperty("limit", e.limit());
        return answer(problem);
    }

    /**
     * The application's value type cannot be stored or read as JSON: a server-side problem the
     * client cannot fix, so a 500, logged with its cause.
     */
    @ExceptionHandler(ValueSerializationException.class)
    public ResponseEntity<ProblemDetail> unserializable(ValueSerializationException e) {
        log.error("A replicated map value could not be converted to or from JSON: {}", e.getMessage(), e);
        return answer(problem(
                HttpStatus.INTERNAL_SERVER_ERROR, "unserializable-value", "Value cannot be stored", e.getMessage()));
    }

    /** Any other replication failure: a server-side problem, logged here with its cause. */
    @ExceptionHandler(ReplicationException.class)
    public ResponseEntity<ProblemDetail> replicationFailure(ReplicationException e) {
        log.error("Replication failed while serving a request: {}", e.getMessage(), e);
        return answer(problem(
                HttpStatus.INTERNAL_SERVER_ERROR, "replication-failure", "Replication failure", e.getMessage()));
    }

    /** A problem detail of the given type under {@link #TYPE_PREFIX}. */
    protected static ProblemDetail problem(HttpStatus status, String type, String title, @Nullable String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title);
        return problem;
    }

    private static ResponseEntity<ProblemDetail> answer(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }
}
