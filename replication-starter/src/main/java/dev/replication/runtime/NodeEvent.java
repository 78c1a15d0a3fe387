package dev.replication.runtime;

import dev.replication.core.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything that reaches a node's update-queue thread: time, peer messages, client requests,
 * and the node's own work (a log append became durable, a write to retry, a wait for an applied
 * index, the rest of a long apply, a checkpoint or a snapshot transfer finished).
 */
sealed interface NodeEvent
        permits NodeEvent.Tick,
                NodeEvent.Inbound,
                NodeEvent.Propose,
                NodeEvent.RetryPropose,
                NodeEvent.Read,
                NodeEvent.AfterPersist,
                NodeEvent.PersistFailed,
                NodeEvent.AwaitApplied,
                NodeEvent.StatusRequest,
                NodeEvent.ContinueApplying,
                NodeEvent.CheckpointDurable,
                NodeEvent.CheckpointFailed,
                NodeEvent.SnapshotArrived,
                NodeEvent.SnapshotSendFailed,
                NodeEvent.BackupRequest {

    enum Tick implements NodeEvent {
        INSTANCE
    }

    /** The last turn stopped after its share of committed entries; this one applies the next share. */
    enum ContinueApplying implements NodeEvent {
        INSTANCE
    }

    record Inbound(Message message) implements NodeEvent {}

    record RetryPropose(Propose propose) implements NodeEvent {}

    record AfterPersist(List<Message> messages, long index, long generation) implements NodeEvent {}

    record PersistFailed(Throwable cause) implements NodeEvent {}

    /**
     * Waits until this node applied {@code index}.
     *
     * @param afterWrite a write the leader applied waits (it committed: if this node stops first, its
     *     outcome is unknown here); otherwise a read waits (unavailable if this node stops first)
     */
    record AwaitApplied(long index, CompletableFuture<Void> future, boolean afterWrite) implements NodeEvent {}

    record StatusRequest(CompletableFuture<NodeStatus> result) implements NodeEvent {}

    /** A checkpoint at {@code index} is durable and the Low-Water Mark names it: the log may be compacted. */
    record CheckpointDurable(long index, long generation, long tookMillis) implements NodeEvent {}

    /** A checkpoint could not be made durable; nothing was deleted. */
    /**
     * @param wholeNext the next checkpoint must write the whole state: what the store holds is not
     *     known (a commit that could not be shown durable, a refused base)
     */
    record CheckpointFailed(long index, boolean wholeNext) implements NodeEvent {}

    /** A whole snapshot from a leader is stored aside and fsync'd: the core decides whether to install it. */
    record SnapshotArrived(SnapshotReceiver.ReceivedSnapshot snapshot) implements NodeEvent {}

    /** An operator asked for a backup of the state. */
    record BackupRequest(CompletableFuture<Backup> result) implements NodeEvent {}

    /** The leader could not transfer a snapshot to {@code peerId}; the core probes it again later. */
    record SnapshotSendFailed(String peerId) implements NodeEvent {}

    /**
     * A command on its way into the log. Its state decides what a timeout means: still
     * WAITING (never handed to a leader) is "not applied"; SENT may have entered the log.
     */
    final class Propose implements NodeEvent {
        private static final int WAITING = 0;
        private static final int SENT = 1;
        private static final int TIMED_OUT = 2;

        final byte[] envelope;
        final long deadlineNanos;
        final boolean forwardedToUs;
        final CompletableFuture<ForwardingProtocol.Answer.Applied> result = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger();

        Propose(byte[] envelope, long deadlineNanos, boolean forwardedToUs) {
            this.envelope = envelope;
            this.deadlineNanos = deadlineNanos;
            this.forwardedToUs = forwardedToUs;
        }

        boolean markSent() {
            return state.compareAndSet(WAITING, SENT);
        }

        void markWaiting() {
            state.compareAndSet(SENT, WAITING);
        }

        boolean markTimedOut() {
            return state.compareAndSet(WAITING, TIMED_OUT);
        }
    }

    /** A linearizable read waiting for its read index, then for this node to apply it. */
    final class Read implements NodeEvent {
        final long id;
        final long minIndex;
        final CompletableFuture<Void> result = new CompletableFuture<>();

        Read(long id, long minIndex) {
            this.id = id;
            this.minIndex = minIndex;
        }

        boolean isDone() {
            return result.isDone();
        }

        void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }
}
