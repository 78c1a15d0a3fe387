package dev.replication.sample;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;

/**
 * Size limits of the key-value API. Every value travels through the replicated log to every
 * node, so a bound here keeps one client from stalling replication for everybody.
 *
 * @param maxKeyBytes the longest key, in UTF-8 bytes
 * @param maxValueBytes the largest request body (the JSON value), in bytes
 * @param maxIdempotencyKeyLength the longest {@code Idempotency-Key} header, in characters
 * @param maxConcurrentRequests requests of this API in progress at once; more are refused at
 *     once with 503 and {@code Retry-After} (see {@link RequestAdmission})
 */
@ConfigurationProperties("sample.kv")
public record KeyValueLimits(
        @DefaultValue("1024") int maxKeyBytes,
        @DefaultValue("65536") int maxValueBytes,
        @DefaultValue("128") int maxIdempotencyKeyLength,
        @DefaultValue("256") int maxConcurrentRequests) {

    /** Checks a key taken from the path; returns it unchanged. */
    String checkKey(String key) {
        if (key.isEmpty()) {
            throw new RejectedRequestException(
                    HttpStatus.BAD_REQUEST,
                    "Empty key",
                    "The key is empty. Put the key after /kv/, for example /kv/users/42.");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxKeyBytes) {
            throw new RejectedRequestException(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "Key too large",
                    "The key has " + bytes + " bytes; the limit is " + maxKeyBytes
                            + " (sample.kv.max-key-bytes). Use a shorter key.");
        }
        return key;
    }

    /** Checks an {@code Idempotency-Key} header; null when the header is absent. */
    @Nullable
    String checkIdempotencyKey(@Nullable String idempotencyKey) {
        if (idempotencyKey == null) {
            return null;
        }
        if (idempotencyKey.isBlank()) {
            throw new RejectedRequestException(
                    HttpStatus.BAD_REQUEST,
                    "Blank Idempotency-Key",
                    "The Idempotency-Key header is blank. Send a unique value per logical request"
                            + " (for example a UUID), or leave the header out.");
        }
        if (idempotencyKey.length() > maxIdempotencyKeyLength) {
            throw new RejectedRequestException(
                    HttpStatus.BAD_REQUEST,
                    "Idempotency-Key too long",
                    "The Idempotency-Key header has " + idempotencyKey.length() + " characters; the limit is "
                            + maxIdempotencyKeyLength + ". A UUID is enough.");
        }
        return idempotencyKey;
    }
}
