package dev.replication.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Linearizable reads without log writes (read index) and Follower Reads.
 *
 * <p>Leader side: a read notes the commit index when it is registered and waits for a heartbeat
 * round started after that moment to be acknowledged by a majority; only then does the leader
 * know nobody else led at that time, and the read may be served once applied up to the noted
 * index. Reads registered while a round is in flight wait for the next one, so many reads share
 * one round. A follower's read-index request is held to the same rule and answered when
 * confirmed.
 *
 * <p>Follower side: a read is forwarded to the leader as a {@link ReadIndexRequest}; the answer
 * becomes a {@link ReadState}, or a {@link ReadRejection} if the leader refuses, does not answer
 * within an election timeout, or this follower's log is too far behind the read index.
 */
final class ReadIndex {

    private record PendingRead(
            String origin, long originIncarnation, long requestId, long readIndex, long requiredRound) {}

    private final ReplicaConfig config;
    private final Outbox outbox;
    private final List<PendingRead> pending = new ArrayList<>();
    /** The latest round started on behalf of reads. */
    private long awaitedRound;
    /** Follower side: request id to ticks waited for the leader's answer. */
    private final Map<Long, Integer> forwarded = new LinkedHashMap<>();

    ReadIndex(ReplicaConfig config, Outbox outbox) {
        this.config = config;
        this.outbox = outbox;
    }

    /**
     * Leader: holds a read at {@code commitIndex}; only acknowledgements of rounds after {@code
     * currentRound} (heartbeats sent after this moment) may confirm it.
     */
    void register(String origin, long originIncarnation, long requestId, long commitIndex, long currentRound) {
        pending.add(new PendingRead(origin, originIncarnation, requestId, commitIndex, currentRound + 1));
    }

    /**
     * Leader: holds the read of {@code origin} (this node or a follower) at {@code commitIndex}
     * and serves what is confirmed; refused (false) while the leader's first entry of its
     * generation is uncommitted, since until then the commit index may be behind.
     */
    boolean registerAsLeader(
            String origin,
            long originIncarnation,
            long requestId,
            LeaderState leader,
            long commitIndex,
            long generation) {
        if (commitIndex < leader.firstIndexOfGeneration()) {
            return false;
        }
        register(origin, originIncarnation, requestId, commitIndex, leader.round());
        serve(leader, generation);
        return true;
    }

    /** Leader: releases confirmed reads and starts a heartbeat round for reads still waiting. */
    void serve(LeaderState leader, long generation) {
        release(leader.confirmedRound(), generation);
        if (needsRound(leader.round(), leader.confirmedRound())) {
            leader.broadcastHeartbeat();
            roundStarted(leader.round());
            release(leader.confirmedRound(), generation); // a cluster of one confirms at once
        }
    }

    /** Whether a new heartbeat round must start for waiting reads (none is in flight for them). */
    boolean needsRound(long currentRound, long confirmedRound) {
        if (awaitedRound > confirmedRound) {
            return false; // a round is in flight; reads registered since then share the next one
        }
        for (PendingRead read : pending) {
            if (read.requiredRound() > currentRound) {
                return true;
            }
        }
        return false;
    }

    void roundStarted(long round) {
        awaitedRound = round;
    }

    /** Leader: serves every read whose round a majority has acknowledged. */
    void release(long confirmedRound, long generation) {
        Iterator<PendingRead> iterator = pending.iterator();
        while (iterator.hasNext()) {
            PendingRead read = iterator.next();
            if (read.requiredRound() > confirmedRound) {
                continue;
            }
            iterator.remove();
            if (read.origin().equals(config.id())) {
                outbox.readState(new ReadState(read.requestId(), read.readIndex()));
            } else {
                outbox.send(new ReadIndexResponse(
                        config.id(),
                        read.origin(),
                        generation,
                        read.requestId(),
                        read.originIncarnation(),
                        true,
                        read.readIndex()));
            }
        }
    }

    /** Leader stepped down: nothing pending can be confirmed any more. */
    void leadershipLost(@Nullable String newLeader, long generation) {
        for (PendingRead read : pending) {
            if (read.origin().equals(config.id())) {
                reject(
                        read.requestId(),
                        newLeader,
                        "node " + config.id() + " lost leadership before the read was confirmed; retry on the leader");
            } else {
                outbox.send(new ReadIndexResponse(
                        config.id(), read.origin(), generation, read.requestId(), read.originIncarnation(), false, 0));
            }
        }
        pending.clear();
        awaitedRound = 0;
    }

    void reject(long requestId, @Nullable String leaderId, String reason) {
        outbox.readRejection(new ReadRejection(requestId, leaderId, reason));
    }

    /** Follower: asks the leader for a read index. */
    void forward(long requestId, String leaderId, long generation) {
        forwarded.put(requestId, 0);
        outbox.send(new ReadIndexRequest(config.id(), leaderId, generation, requestId, config.incarnation()));
    }

    /** Follower: the leader's answer. */
    void onResponse(ReadIndexResponse response, long localLastIndex, Supplier<@Nullable String> leader) {
        if (response.incarnation() != config.incarnation()) {
            return; // an answer to the process before this one, whose request ids restarted with it
        }
        if (forwarded.remove(response.requestId()) == null) {
            return; // answered already, or timed out
        }
        if (!response.accepted()) {
            reject(
                    response.requestId(),
                    leader.get(),
                    "leader " + response.from()
                            + " could not confirm a read index (not leading, or its first entry of the generation"
                            + " is not yet committed); retry in a moment");
        } else if (response.readIndex() - localLastIndex > config.maxReadLagEntries()) {
            reject(
                    response.requestId(),
                    leader.get(),
                    "node " + config.id() + " is "
                            + (response.readIndex() - localLastIndex) + " entries behind the read index "
                            + response.readIndex() + " (limit maxReadLagEntries=" + config.maxReadLagEntries()
                            + "); read from the leader or retry when this node has caught up");
        } else {
            outbox.readState(new ReadState(response.requestId(), response.readIndex()));
        }
    }

    /** Follower: fails forwarded reads the leader has not answered within an election timeout. */
    void tick(Supplier<@Nullable String> leader) {
        Iterator<Map.Entry<Long, Integer>> iterator = forwarded.entrySet().iterator();
        while (iterator.hasNext()) {
            Map.Entry<Long, Integer> entry = iterator.next();
            int waited = entry.getValue() + 1;
            if (waited < config.electionTimeoutTicks()) {
                entry.setValue(waited);
                continue;
            }
            iterator.remove();
            reject(
                    entry.getKey(),
                    leader.get(),
                    "no read index from the leader within " + config.electionTimeoutTicks()
                            + " ticks; retry, or read from the leader");
        }
    }
}
