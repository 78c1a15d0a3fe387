package dev.replication.state;

import java.util.List;
import java.util.Objects;

/**
 * A copy of one client session as a checkpoint stores it (Idempotent Receiver).
 *
 * @param touchOrder when the session was last used, relative to the other sessions: restoring
 *     orders sessions by it, so the least recently used is forgotten or trimmed first as before
 * @param answers the answers the client may still ask for again, by ascending sequence
 */
public record SessionImage(
        String clientId, long lastActiveMillis, long firstRetained, long touchOrder, List<Answer> answers) {

    public SessionImage {
        Objects.requireNonNull(clientId, "clientId");
        answers = List.copyOf(answers);
    }

    /**
     * One cached answer.
     *
     * @param result the encoded {@link StateResult}, shared with the state machine: never modify it
     */
    public record Answer(long sequence, long fingerprint, byte[] result) {

        public Answer {
            Objects.requireNonNull(result, "result");
        }
    }
}
