package dev.replication.sample;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReplicationException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.UpdateContentionException;
import dev.replication.api.ValueSerializationException;
import dev.replication.api.VersionConflictException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure into an RFC 9457 problem detail with the status code of the design, so a
 * client can tell from the status alone whether its write happened: 503 (with
 * {@code Retry-After}) certainly not applied, 504 {@code outcome-unknown} maybe applied, 409 and
 * 422 refused by the state machine, 400 and 413 refused before reaching it.
 *
 * <p>Extends {@link ResponseEntityExceptionHandler} so Spring MVC's own errors (unknown path,
 * wrong method) are problem details too.
 */
@RestControllerAdvice
public class KeyValueProblems extends ResponseEntityExceptionHandler {

    /** Problem types are URNs: stable names a client can switch on, not pages to fetch. */
    static final String TYPE_PREFIX = "urn:problem-type:replication:";

    /** Seconds a client should wait before retrying a write that was not applied. */
    static final String RETRY_AFTER_SECONDS = "1";

    private static final Logger log = LoggerFactory.getLogger(KeyValueProblems.class);

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

    @ExceptionHandler(VersionConflictException.class)
    ResponseEntity<ProblemDetail> versionConflict(VersionConflictException e) {
        ProblemDetail problem = detail(HttpStatus.CONFLICT, "version-conflict", "Version conflict",
                e.getMessage());
        problem.setProperty("expectedVersion", e.expectedVersion());
        problem.setProperty("currentVersion", e.currentVersion());
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
    }

    @ExceptionHandler(UpdateContentionException.class)
    ResponseEntity<ProblemDetail> contention(UpdateContentionException e) {
        return problem(HttpStatus.CONFLICT, "update-contention", "Too much contention on the key", e.getMessage());
    }

    @ExceptionHandler(IdempotencyKeyConflictException.class)
    ResponseEntity<ProblemDetail> idempotencyKeyReused(IdempotencyKeyConflictException e) {
        ProblemDetail problem = detail(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                "Idempotency-Key reused for a different request", e.getMessage());
        problem.setProperty("idempotencyKey", e.idempotencyKey());
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(problem);
    }

    /** The starter's own limits ({@code replication.max-key-size} / {@code max-value-size}). */
    @ExceptionHandler(EntryTooLargeException.class)
    ResponseEntity<ProblemDetail> entryTooLarge(EntryTooLargeException e) {
        ProblemDetail problem = detail(HttpStatus.CONTENT_TOO_LARGE, "entry-too-large", "Entry too large",
                e.getMessage());
        problem.setProperty("size", e.size());
        problem.setProperty("limit", e.limit());
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem);
    }

    @ExceptionHandler(ValueSerializationException.class)
    ResponseEntity<ProblemDetail> unserializable(ValueSerializationException e) {
        return problem(HttpStatus.BAD_REQUEST, "unserializable-value", "Value cannot be stored", e.getMessage());
    }

    /**
     * Covers {@link NotAppliedException} (a write that never entered the log) and reads that
     * could not be served; a read is always "unavailable", whichever exception the map chose.
     */
    @ExceptionHandler(ReplicationUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(ReplicationUnavailableException e, HttpServletRequest request) {
        boolean write = !HttpMethod.GET.matches(request.getMethod());
        String type = write && e instanceof NotAppliedException ? "not-applied" : "unavailable";
        ProblemDetail problem = detail(HttpStatus.SERVICE_UNAVAILABLE, type, "Cluster unavailable, nothing changed",
                e.getMessage());
        if (e.leaderId() != null) {
            problem.setProperty("leaderId", e.leaderId());
        }
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    @ExceptionHandler(OutcomeUnknownException.class)
    ResponseEntity<ProblemDetail> outcomeUnknown(OutcomeUnknownException e) {
        return problem(HttpStatus.GATEWAY_TIMEOUT, "outcome-unknown", "Outcome unknown",
                e.getMessage() + " Read the key before retrying, or retry with the same Idempotency-Key.");
    }

    /** Any other replication failure: a server-side problem, logged here with its cause. */
    @ExceptionHandler(ReplicationException.class)
    ResponseEntity<ProblemDetail> replicationFailure(ReplicationException e) {
        log.error("Replication failed while serving a request: {}", e.getMessage(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "replication-failure", "Replication failure",
                e.getMessage());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String type, String title,
            @Nullable String detail) {
        return ResponseEntity.status(status).body(detail(status, type, title, detail));
    }

    private static ProblemDetail detail(HttpStatus status, String type, String title, @Nullable String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title);
        return problem;
    }
}
