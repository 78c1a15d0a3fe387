package dev.replication.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.core.LogEntry;
import dev.replication.runtime.ForwardingProtocol.Answer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A follower whose update queue is full of client requests, or that stops, still tells every
 * caller the truth: a write the leader applied is applied or of unknown outcome, never "not
 * applied"; peer messages and the node's own events never wait for room among client requests.
 */
class NodeOverloadTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration LONG = Duration.ofSeconds(60);
    static final int CAPACITY = 8;

    final TestNode test = new TestNode();
    ReplicationNode node;

    @BeforeEach
    void followLeaderN2() {
        node = test.startFollower(CAPACITY);
        test.fromLeader(0, List.of(LogEntry.noop(1, 1)), 1);
        await().atMost(WAIT).until(() -> node.appliedIndex() == 1);
    }

    @AfterEach
    void stop() {
        test.stateMachine.release();
        test.close();
    }

    @Test
    void aForwardedWriteTheLeaderAppliedIsAnsweredAppliedWhileClientRequestsFillTheQueue() throws Exception {
        CompletableFuture<byte[]> write = node.submit(new byte[] {1}, null, LONG);
        TestNode.Call forwarded = test.peers.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        holdTheQueueThread();
        fillTheQueueWithReads();

        forwarded.answer().complete(ForwardingProtocol.encodeAnswers(List.of(new Answer.Applied(3, new byte[] {7}))));
        test.fromLeader(2, List.of(LogEntry.noop(1, 3)), 3);
        test.stateMachine.release();

        assertThat(write.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(7);
    }

    @Test
    void peerMessagesAreHandledWhileClientRequestsFillTheQueue() {
        holdTheQueueThread();
        fillTheQueueWithReads();

        test.fromLeader(2, List.of(LogEntry.noop(1, 3)), 3);
        test.stateMachine.release();

        await().atMost(WAIT).until(() -> node.appliedIndex() == 3);
    }

    @Test
    void aLinearizableReadRefusedByAFullQueueIsUnavailable() {
        holdTheQueueThread();

        CompletableFuture<Void> refused = fillTheQueueWithReads();

        // Exactly: "not applied" is about writes; a read changes nothing.
        assertThat(failureOf(refused)).isExactlyInstanceOf(ReplicationUnavailableException.class);
    }

    @Test
    void aLinearizableReadOnAStoppedNodeIsUnavailable() {
        node.close();

        CompletableFuture<Void> read = node.readBarrier(ReadConsistency.LINEARIZABLE, 0, LONG);

        assertThat(failureOf(read)).isExactlyInstanceOf(ReplicationUnavailableException.class);
    }

    @Test
    void aForwardedWriteTheLeaderAppliedHasAnUnknownOutcomeWhenTheNodeStopsBeforeApplyingIt() throws Exception {
        CompletableFuture<byte[]> write = node.submit(new byte[] {1}, null, LONG);
        TestNode.Call forwarded = test.peers.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        holdTheQueueThread();
        forwarded.answer().complete(ForwardingProtocol.encodeAnswers(List.of(new Answer.Applied(3, new byte[] {7}))));

        node.close();

        await().atMost(WAIT).until(write::isDone);
        assertThat(failureOf(write)).isInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void aWriteWaitingToBeRetriedWhenTheNodeStopsIsNotApplied() throws Exception {
        CompletableFuture<byte[]> write = node.submit(new byte[] {1}, null, LONG);
        TestNode.Call forwarded = test.peers.calls.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        holdTheQueueThread();
        forwarded
                .answer()
                .complete(ForwardingProtocol.encodeAnswers(List.of(new Answer.NotApplied("n2", "stepping down"))));

        node.close();

        await().atMost(WAIT).until(write::isDone);
        assertThat(failureOf(write)).isInstanceOf(NotAppliedException.class);
    }

    /** The leader commits index 2; the queue's thread stops inside applying it. */
    private void holdTheQueueThread() {
        test.stateMachine.holdAt(2);
        test.fromLeader(1, List.of(LogEntry.noop(1, 2)), 2);
        await().atMost(WAIT).until(test.stateMachine::isHolding);
    }

    /** Linearizable reads until the queue refuses one; returns the refused read. */
    private CompletableFuture<Void> fillTheQueueWithReads() {
        for (int i = 0; i <= 10 * CAPACITY; i++) {
            CompletableFuture<Void> read = node.readBarrier(ReadConsistency.LINEARIZABLE, 0, LONG);
            if (read.isDone()) {
                return read;
            }
        }
        throw new AssertionError("the queue accepted more than " + 10 * CAPACITY + " client requests");
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).isDone();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
