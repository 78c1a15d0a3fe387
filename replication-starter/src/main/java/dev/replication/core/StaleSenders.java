package dev.replication.core;

/**
 * Generation Clock: a message of an older generation is never acted on, only answered with this
 * node's generation, so a stale leader or candidate learns it is stale and steps down.
 */
final class StaleSenders {

    private final String self;
    private final Outbox outbox;

    StaleSenders(String self, Outbox outbox) {
        this.self = self;
        this.outbox = outbox;
    }

    /** Answers {@code message}, of a generation older than this node's {@code generation}. */
    void reply(Message message, long generation) {
        if (message instanceof AppendRequest request) {
            // Round 0 and hint 0: the sender may lead our generation by the time this arrives, and
            // the round of its older leadership must not count as an acknowledgement of the new one.
            outbox.sendAfterPersist(
                    new AppendResponse(self, request.from(), generation, false, request.prevIndex(), 0, 0, 0));
        } else if (message instanceof InstallSnapshot install) {
            outbox.sendAfterPersist(
                    new AppendResponse(self, install.from(), generation, false, install.snapshotIndex(), 0, 0, 0));
        } else if (message instanceof VoteRequest request) {
            outbox.sendAfterPersist(new VoteResponse(self, request.from(), generation, request.preVote(), false));
        } else if (message instanceof ReadIndexRequest request) {
            outbox.send(new ReadIndexResponse(
                    self, request.from(), generation, request.requestId(), request.incarnation(), false, 0));
        }
    }
}
