package dev.replication.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a replica does while it leads one generation (Leader and Followers): replicates its log
 * to every follower through a per-follower {@link FollowerReplication}, sends heartbeats in
 * numbered rounds, advances the High-Water Mark from the followers' match indexes, and checks
 * that a majority still answers (check-quorum). Discarded when the replica stops leading. (Not
 * to be confused with {@code dev.replication.api.Leadership}, the application's view of leading.)
 */
final class LeaderState {

    private final ReplicaConfig config;
    private final ClusterConfig cluster;
    private final ReplicatedLog log;
    private final HighWaterMark highWaterMark;
    private final Outbox outbox;
    private final long generation;
    private final Map<String, FollowerReplication> followers = new LinkedHashMap<>();
    /** Heartbeat round: increases with every broadcast, echoed by acknowledgements. */
    private long round;

    private long nowTick;
    private int heartbeatElapsed;
    private int quorumElapsed;
    /** Index of this generation's no-op: once committed, the commit index is up to date. */
    private final long firstIndexOfGeneration;

    LeaderState(
            ReplicaConfig config,
            ClusterConfig cluster,
            ReplicatedLog log,
            HighWaterMark highWaterMark,
            Outbox outbox,
            long generation) {
        this.config = config;
        this.cluster = cluster;
        this.log = log;
        this.highWaterMark = highWaterMark;
        this.outbox = outbox;
        this.generation = generation;
        this.firstIndexOfGeneration = log.lastIndex() + 1;
        for (String peer : cluster.others(config.id())) {
            followers.put(peer, new FollowerReplication(peer, log.lastIndex() + 1, config.maxInflightAppends()));
        }
    }

    long firstIndexOfGeneration() {
        return firstIndexOfGeneration;
    }

    long round() {
        return round;
    }

    /**
     * Counts one tick: heartbeats when due, and check-quorum once per election timeout.
     *
     * @return false if a majority has not been heard from within the last election timeout, so
     *     this node must step down
     */
    boolean tick() {
        nowTick++;
        for (FollowerReplication follower : followers.values()) {
            follower.tick(nowTick, config.electionTimeoutTicks(), config.snapshotTimeoutTicks());
        }
        if (++heartbeatElapsed >= config.heartbeatIntervalTicks()) {
            broadcastHeartbeat();
        }
        if (++quorumElapsed >= config.electionTimeoutTicks()) {
            quorumElapsed = 0;
            int active = 1;
            for (FollowerReplication follower : followers.values()) {
                active += follower.recentlyActive() ? 1 : 0;
                follower.startQuorumPeriod();
            }
            return active >= cluster.quorum();
        }
        return true;
    }

    /** Starts a new heartbeat round: an empty append to every follower, whatever is in flight. */
    void broadcastHeartbeat() {
        heartbeatElapsed = 0;
        round++;
        for (FollowerReplication follower : followers.values()) {
            long prev = heartbeatPrevIndex(follower);
            outbox.send(new AppendRequest(
                    config.id(),
                    follower.id,
                    generation,
                    prev,
                    log.generationAt(prev),
                    List.of(),
                    highWaterMark.index(),
                    round));
        }
    }

    /**
     * Where a heartbeat to {@code follower} attaches: its match index, unless this log has
     * compacted the entry there since (a lagging follower, or one installing a snapshot); then
     * index 0, which every log matches, so the heartbeat reads nothing compacted and the follower
     * acknowledges it with what it holds for sure (at least its own snapshot).
     */
    private long heartbeatPrevIndex(FollowerReplication follower) {
        long match = follower.matchIndex();
        return log.hasGenerationAt(match) ? match : 0;
    }

    /** Appends one COMMAND entry per command and streams them to the followers. */
    List<Proposal> propose(List<byte[]> commands) {
        List<Proposal> proposals = new ArrayList<>(commands.size());
        for (byte[] command : commands) {
            Objects.requireNonNull(command, "command");
            LogEntry entry = LogEntry.command(generation, log.lastIndex() + 1, command);
            log.append(entry);
            proposals.add(new Proposal.Accepted(entry.index(), entry.generation()));
        }
        replicate();
        return proposals;
    }

    /** New entries were appended: stream them to every follower whose window has room. */
    void replicate() {
        for (FollowerReplication follower : followers.values()) {
            sendAppends(follower);
        }
    }

    /** @return whether any append was sent */
    private boolean sendAppends(FollowerReplication follower) {
        boolean sent = false;
        while (follower.canSend() && follower.nextIndex() <= log.lastIndex()) {
            long next = follower.nextIndex();
            long prev = next - 1;
            if (next < log.firstIndex()) {
                // What the follower needs next is compacted here (and so is the entry before it,
                // unless that is the snapshot's): only the snapshot can bring it.
                outbox.send(new InstallSnapshot(
                        config.id(), follower.id, generation, log.snapshotIndex(), log.snapshotGeneration()));
                follower.snapshotSent(log.snapshotIndex());
                return true;
            }
            List<LogEntry> entries =
                    log.entries(next, next + config.maxEntriesPerAppend() - 1, config.maxBytesPerAppend());
            long bytes = 0;
            for (LogEntry entry : entries) {
                bytes += entry.payloadSize();
            }
            outbox.send(new AppendRequest(
                    config.id(),
                    follower.id,
                    generation,
                    prev,
                    log.generationAt(prev),
                    entries,
                    highWaterMark.index(),
                    round));
            follower.sent(prev + entries.size(), bytes, nowTick);
            sent = true;
        }
        return sent;
    }

    /**
     * An answer from a follower at this generation.
     *
     * @return whether the High-Water Mark moved
     */
    boolean onAppendResponse(AppendResponse response) {
        FollowerReplication follower = followers.get(response.from());
        if (follower == null) {
            return false;
        }
        follower.heardFrom(response.round());
        boolean committed = false;
        if (!response.success() && response.hintIndex() == 0) {
            return false; // a rejection of an older generation's request: says nothing about the log
        }
        if (response.success()) {
            if (follower.matched(response.matchIndex(), round)) {
                committed = advanceHighWaterMark();
            }
        } else if (follower.provesLostEntries(response.matchIndex(), response.round())) {
            followerLostEntries(follower, response);
        } else {
            follower.rejected(
                    response.matchIndex(),
                    probeFrom(response.hintIndex(), response.hintGeneration(), follower.matchIndex()));
        }
        if (committed) {
            // Tell every follower at once, not at the next heartbeat (a follower that forwarded
            // a write answers its client only after applying it): with the entries due to it
            // anyway, or else in an empty append.
            for (FollowerReplication each : followers.values()) {
                if (!sendAppends(each)) {
                    sendCommitIndex(each);
                }
            }
        } else {
            sendAppends(follower);
        }
        return committed;
    }

    /**
     * The follower no longer holds entries it had acknowledged (it acknowledged before its fsync
     * and lost power): it is no longer counted for them, and it is probed from its hint. Only
     * the High-Water Mark's inputs go down, never the mark itself: what is committed stays
     * committed (it was stored on a majority when counted, and only a minority may lose an
     * unsynced tail).
     */
    private void followerLostEntries(FollowerReplication follower, AppendResponse rejection) {
        long firstLost = Math.min(rejection.hintIndex(), follower.matchIndex());
        // Log Matching: if its entry just before the hint has our generation there, its log
        // agrees with ours up to that entry; otherwise nothing is known to match.
        long stillMatching =
                log.hasGenerationAt(firstLost - 1) && log.generationAt(firstLost - 1) == rejection.hintGeneration()
                        ? firstLost - 1
                        : 0;
        outbox.lostEntries(follower.lostEntries(
                firstLost, stillMatching, probeFrom(firstLost, rejection.hintGeneration(), stillMatching), round));
    }

    /**
     * An empty append carrying the commit index, in the current heartbeat round: its
     * acknowledgement proves leadership only for reads registered before this round began, which
     * is still true when it is sent later in the round.
     */
    private void sendCommitIndex(FollowerReplication follower) {
        long prev = heartbeatPrevIndex(follower);
        outbox.send(new AppendRequest(
                config.id(),
                follower.id,
                generation,
                prev,
                log.generationAt(prev),
                List.of(),
                highWaterMark.index(),
                round));
    }

    /**
     * Where to probe after a rejection: below the follower's hint, skipping every leader entry
     * whose generation is newer than the follower's entry there (those cannot match); it stops at
     * the compacted prefix, where the next send turns into a snapshot.
     */
    private long probeFrom(long hintIndex, long hintGeneration, long matchIndex) {
        long index = Math.min(hintIndex - 1, log.lastIndex());
        while (index > matchIndex && log.hasGenerationAt(index) && log.generationAt(index) > hintGeneration) {
            index--;
        }
        return index + 1;
    }

    /**
     * Recomputes the High-Water Mark: the leader counts itself only up to what it has persisted.
     *
     * @return whether it moved
     */
    boolean advanceHighWaterMark() {
        long[] matchIndexes = new long[followers.size() + 1];
        matchIndexes[0] = log.persistedIndex();
        int i = 1;
        for (FollowerReplication follower : followers.values()) {
            matchIndexes[i++] = follower.matchIndex();
        }
        long majorityIndex = MajorityQuorum.committedIndex(matchIndexes);
        if (majorityIndex > log.lastIndex() || majorityIndex <= highWaterMark.index()) {
            return false; // and below the mark the entry may be compacted: never read it
        }
        return highWaterMark.advanceAsLeader(majorityIndex, log.generationAt(majorityIndex), generation);
    }

    /**
     * The latest heartbeat round acknowledged by a majority (the leader itself counts for the
     * round it is in): every read registered before that round was sent is confirmed.
     */
    long confirmedRound() {
        long[] rounds = new long[followers.size() + 1];
        rounds[0] = round;
        int i = 1;
        for (FollowerReplication follower : followers.values()) {
            rounds[i++] = follower.acknowledgedRound();
        }
        return MajorityQuorum.committedIndex(rounds);
    }

    /** The driver could not transfer the snapshot to {@code peer}: probe it again later. */
    void snapshotSendFailed(String peer) {
        FollowerReplication follower = followers.get(peer);
        if (follower != null) {
            follower.snapshotFailed();
        }
    }

    Map<String, FollowerProgress> progress() {
        Map<String, FollowerProgress> progress = new LinkedHashMap<>();
        for (FollowerReplication follower : followers.values()) {
            progress.put(follower.id, follower.progress());
        }
        return progress;
    }
}
