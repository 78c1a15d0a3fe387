package dev.replication.runtime;

import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.runtime.ForwardingProtocol.Answer;
import dev.replication.runtime.NodeEvent.Propose;
import dev.replication.transport.PeerTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Forwarding to the leader: a follower sends the writes it received in one update-queue turn to
 * the leader as one peer call, and reads the leader's answer per write: applied (done), not
 * applied (certainly not in the log: retry with whoever leads), or outcome unknown. The leader's
 * side ({@link #serve}) turns each forwarded write's outcome into such an answer.
 *
 * <p>{@link #add} and {@link #forwardBatches} run on the update-queue thread; the answers arrive
 * on the transport's threads and only complete the writes' own futures or hand them to
 * {@code retry} (which must re-enter them through the update queue).
 */
final class LeaderForwarding {

    private final String nodeId;
    private final PeerTransport transport;
    private final Predicate<Propose> retry;
    private final Map<String, List<Propose>> batches = new HashMap<>();

    /**
     * @param retry takes a write that certainly did not enter the log (already marked waiting)
     *     back to be dispatched again; false when the node stopped (the write is then answered
     *     "not applied" here)
     */
    LeaderForwarding(String nodeId, PeerTransport transport, Predicate<Propose> retry) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.retry = retry;
    }

    /** Adds a write (already marked sent) to this turn's batch for {@code leaderId}. */
    void add(String leaderId, Propose propose) {
        batches.computeIfAbsent(leaderId, leader -> new ArrayList<>()).add(propose);
    }

    /**
     * Sends this turn's batches: per leader, as few peer calls as the peer's request limit
     * allows. A write too large to forward on its own is not applied: it was never sent.
     */
    void forwardBatches(long nowNanos) {
        int limit = transport.maxRequestBytes();
        batches.forEach((leaderId, batch) -> {
            List<Propose> call = new ArrayList<>();
            long bytes = ForwardingProtocol.encodeCommands(List.of(), 0).length;
            for (Propose propose : batch) {
                long size = 4L + propose.envelope.length;
                if (bytes + size > limit && !call.isEmpty()) {
                    forward(leaderId, call, nowNanos);
                    call = new ArrayList<>();
                    bytes = ForwardingProtocol.encodeCommands(List.of(), 0).length;
                }
                if (bytes + size > limit) {
                    propose.result.completeExceptionally(new NotAppliedException(
                            "the write of "
                                    + propose.envelope.length + " bytes is too large to forward to leader " + leaderId
                                    + " (peer requests carry at most " + limit + " bytes); it was not sent",
                            leaderId));
                    continue;
                }
                call.add(propose);
                bytes += size;
            }
            if (!call.isEmpty()) {
                forward(leaderId, call, nowNanos);
            }
        });
        batches.clear();
    }

    /** The writes of this turn not sent yet (the node stopped mid-turn); the batches are emptied. */
    List<Propose> takeUnforwarded() {
        List<Propose> unforwarded = new ArrayList<>();
        batches.values().forEach(unforwarded::addAll);
        batches.clear();
        return unforwarded;
    }

    private void forward(String leaderId, List<Propose> batch, long nowNanos) {
        // The call lasts as long as the most urgent write may wait.
        long remainingMillis = Long.MAX_VALUE;
        List<byte[]> envelopes = new ArrayList<>(batch.size());
        for (Propose propose : batch) {
            remainingMillis =
                    Math.min(remainingMillis, TimeUnit.NANOSECONDS.toMillis(propose.deadlineNanos - nowNanos));
            envelopes.add(propose.envelope);
        }
        remainingMillis = Math.max(1, remainingMillis);
        transport
                .call(
                        leaderId,
                        ForwardingProtocol.PROPOSE,
                        ForwardingProtocol.encodeCommands(envelopes, remainingMillis),
                        Duration.ofMillis(remainingMillis))
                .whenComplete((bytes, error) -> {
                    if (error != null) {
                        callFailed(leaderId, batch, error);
                    } else {
                        answered(leaderId, batch, bytes);
                    }
                });
    }

    private void callFailed(String leaderId, List<Propose> batch, Throwable error) {
        for (Propose propose : batch) {
            if (PeerCalls.certainlyNotDelivered(error)) {
                retryLater(propose);
            } else {
                propose.result.completeExceptionally(
                        new OutcomeUnknownException("forwarding to leader " + leaderId + " failed after sending: "
                                + PeerCalls.unwrap(error).getMessage() + "; the write may have committed"));
            }
        }
    }

    private void answered(String leaderId, List<Propose> batch, byte[] bytes) {
        List<Answer> answers;
        try {
            answers = ForwardingProtocol.decodeAnswers(bytes);
        } catch (IllegalArgumentException malformed) {
            batch.forEach(propose -> propose.result.completeExceptionally(new OutcomeUnknownException(
                    "leader " + leaderId + " sent an answer this node cannot read: " + malformed.getMessage()
                            + "; the writes may have committed",
                    malformed)));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Propose propose = batch.get(i);
            Answer answer = i < answers.size()
                    ? answers.get(i)
                    : new Answer.OutcomeUnknown("leader " + leaderId + " answered " + answers.size() + " of "
                            + batch.size() + " forwarded writes");
            if (answer instanceof Answer.Applied applied) {
                propose.result.complete(applied);
            } else if (answer instanceof Answer.NotApplied) {
                retryLater(propose);
            } else {
                propose.result.completeExceptionally(new OutcomeUnknownException(
                        "leader " + leaderId + ": " + ((Answer.OutcomeUnknown) answer).reason()));
            }
        }
    }

    /** The command certainly did not enter the log: try again (with whoever leads) until the deadline. */
    private void retryLater(Propose propose) {
        propose.markWaiting();
        if (!retry.test(propose)) {
            propose.result.completeExceptionally(
                    new NotAppliedException("node " + nodeId + " stopped before the write was sent", null));
        }
    }

    /**
     * The leader's side: proposes each forwarded write here ({@code proposeHere} takes the envelope
     * and the caller's remaining time) and answers, in the batch's order, once every write has an
     * outcome.
     */
    static CompletableFuture<byte[]> serve(
            byte[] body, BiFunction<byte[], Duration, CompletableFuture<Answer.Applied>> proposeHere) {
        ForwardingProtocol.ForwardedCommands forwarded = ForwardingProtocol.decodeCommands(body);
        Duration timeout = Duration.ofMillis(forwarded.timeoutMillis());
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (byte[] envelope : forwarded.envelopes()) {
            answers.add(proposeHere
                    .apply(envelope, timeout)
                    .handle((applied, error) -> error == null ? applied : toAnswer(error)));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> ForwardingProtocol.encodeAnswers(
                        answers.stream().map(CompletableFuture::join).toList()));
    }

    /** "Not applied" travels back as such (the follower retries); anything else may have committed. */
    static Answer toAnswer(Throwable error) {
        Throwable cause = PeerCalls.unwrap(error);
        if (cause instanceof NotAppliedException notApplied) {
            return new Answer.NotApplied(notApplied.leaderId(), String.valueOf(cause.getMessage()));
        }
        return new Answer.OutcomeUnknown(String.valueOf(cause.getMessage()));
    }
}
