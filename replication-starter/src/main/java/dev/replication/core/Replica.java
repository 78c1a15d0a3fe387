package dev.replication.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * One member of the replicated log, as a pure state machine: it takes events ({@link #tick},
 * {@link #receive}, {@link #propose}, {@link #readIndex}) and hands back what must be done in
 * a {@link Ready}. It has no threads, no I/O, no clock and no randomness of its own; one thread
 * (the runtime's singular update queue, or the simulator) drives it.
 *
 * <p>The work is split into focused parts: {@link Election} (timer and tally), {@link
 * LeaderState} (per-follower {@link FollowerReplication} with its {@link RequestPipeline},
 * heartbeat rounds, check-quorum), {@link HighWaterMark} with {@link MajorityQuorum}, {@link
 * ReadIndex}, {@link ReplicatedLog} (with its snapshot base), {@link FollowerAppends} (the
 * follower's consistency check, acknowledgements and snapshot installs), {@link StaleSenders}
 * and {@link ReadyTracker} (what was already handed to the driver). This class holds the
 * Generation Clock and the role, and routes events.
 */
public final class Replica {

    private final ReplicaConfig config;
    private final ClusterConfig cluster;
    private final ReplicatedLog log;
    private final HighWaterMark highWaterMark;
    private final Election election;
    private final Outbox outbox = new Outbox();
    private final ReadIndex reads;

    private long generation;
    private @Nullable String votedFor;
    private Role role = Role.FOLLOWER;
    private @Nullable String leaderId;
    /** Present exactly while this replica leads. */
    private @Nullable LeaderState leaderState;

    private final ReadyTracker handedOut;
    private final FollowerAppends followerAppends;
    private final StaleSenders staleSenders;

    /** A replica without a snapshot: its log starts at index 1. */
    public Replica(ReplicaConfig config, @Nullable HardState restored, LogReader durableLog, RandomGenerator random) {
        this(config, restored, SnapshotMeta.NONE, durableLog, random);
    }

    /**
     * @param snapshot the base of the restored durable snapshot (the driver has restored the state
     *     machine from it): it is committed, and applying resumes right after it
     * @param durableLog the log stored after (and possibly a margin below) the snapshot
     */
    public Replica(
            ReplicaConfig config,
            @Nullable HardState restored,
            SnapshotMeta snapshot,
            LogReader durableLog,
            RandomGenerator random) {
        this.config = Objects.requireNonNull(config, "config");
        this.cluster = new ClusterConfig(config.voters());
        this.log = new ReplicatedLog(Objects.requireNonNull(durableLog, "durableLog"), snapshot);
        this.highWaterMark = new HighWaterMark(snapshot.index());
        this.election = new Election(config.electionTimeoutTicks(), Objects.requireNonNull(random, "random"));
        this.reads = new ReadIndex(config, outbox);
        HardState state = restored == null ? HardState.INITIAL : restored;
        this.generation = state.generation();
        this.votedFor = state.votedFor();
        this.handedOut = new ReadyTracker(state, snapshot.index());
        this.followerAppends = new FollowerAppends(config, log, highWaterMark, outbox);
        this.staleSenders = new StaleSenders(config.id(), outbox);
    }

    // ---- events -------------------------------------------------------------------------

    /** One logical tick; every timeout is counted in ticks. */
    public void tick() {
        reads.tick(this::knownLeader);
        if (role == Role.LEADER) {
            if (!leaderState().tick()) {
                // Check-quorum: cut off from a majority, stop accepting writes and reads here.
                becomeFollower(generation, null);
            } else {
                serveReads();
            }
        } else {
            if (election.tickAndCheckTimeout() && cluster.isVoter(config.id())) {
                campaign(true);
            }
        }
    }

    /** A message from another replica. */
    public void receive(Message message) {
        if (!config.id().equals(message.to())) {
            return;
        }
        if (message.generation() > generation) {
            if (message instanceof VoteRequest request) {
                if (election.leaderRecentlyHeard(leaderId)) {
                    return; // a live leader exists: the candidate must not unseat it
                }
                if (!request.preVote()) {
                    becomeFollower(request.generation(), null);
                }
            } else if (message instanceof VoteResponse response && response.preVote() && response.granted()) {
                // A granted pre-vote carries the generation asked for, not one the voter holds.
                onVoteResponse(response);
                return;
            } else {
                boolean fromLeader = message instanceof AppendRequest || message instanceof InstallSnapshot;
                becomeFollower(message.generation(), fromLeader ? message.from() : null);
            }
        } else if (message.generation() < generation) {
            staleSenders.reply(message, generation);
            return;
        }
        if (message instanceof AppendRequest request) {
            onAppendRequest(request);
        } else if (message instanceof InstallSnapshot install) {
            onInstallSnapshot(install);
        } else if (message instanceof AppendResponse response) {
            if (role == Role.LEADER) {
                leaderState().onAppendResponse(response);
                serveReads();
            }
        } else if (message instanceof VoteRequest request) {
            onVoteRequest(request);
        } else if (message instanceof VoteResponse response) {
            onVoteResponse(response);
        } else if (message instanceof ReadIndexRequest request) {
            onReadIndexRequest(request);
        } else if (message instanceof ReadIndexResponse response) {
            reads.onResponse(response, log.lastIndex(), this::knownLeader);
        }
        // TimeoutNow (leadership transfer) is dropped: voters that hear from the leader ignore
        // campaigns, so a transfer needs a marked vote request, which the messages lack so far.
    }

    /**
     * Appends a COMMAND entry if this replica leads; the command is committed when an entry of
     * this index and generation appears in {@link Ready#committedEntries()}.
     */
    public Proposal propose(byte[] command) {
        return propose(List.of(command)).get(0);
    }

    /**
     * Proposes several commands at once: appended in order and replicated together, so a batch
     * of client requests becomes one append message per follower instead of one each.
     */
    public List<Proposal> propose(List<byte[]> commands) {
        List<Proposal> proposals = new ArrayList<>(commands.size());
        if (role != Role.LEADER) {
            Proposal rejected = new Proposal.Rejected(
                    leaderId,
                    "this node (" + config.id() + ") is " + role
                            + ", not the leader; send the command to "
                            + (leaderId == null ? "the leader once one is elected" : "leader " + leaderId));
            commands.forEach(command -> proposals.add(rejected));
            return proposals;
        }
        return leaderState().propose(commands);
    }

    /**
     * Asks for a linearizable read: later a {@link ReadState} (serve once applied up to its
     * read index) or a {@link ReadRejection} appears in a {@link Ready}.
     */
    public void readIndex(long requestId) {
        if (role == Role.LEADER) {
            if (!reads.registerAsLeader(
                    config.id(), config.incarnation(), requestId, leaderState(), highWaterMark.index(), generation)) {
                reads.reject(
                        requestId,
                        config.id(),
                        "leader " + config.id()
                                + " has not yet committed an entry of its generation " + generation
                                + "; retry in a moment");
            }
        } else if (leaderId != null && role == Role.FOLLOWER) {
            reads.forward(requestId, leaderId, generation);
        } else {
            reads.reject(
                    requestId,
                    leaderId,
                    "this node (" + config.id() + ") is " + role
                            + " and knows no leader; retry once a leader is elected");
        }
    }

    /** The driver has made entries up to {@code index} durable. */
    public void persisted(long index, long generation) {
        if (log.persisted(index, generation) && role == Role.LEADER) {
            leaderState().advanceHighWaterMark();
        }
    }

    /**
     * The driver's snapshot at {@code snapshotIndex} (of {@code snapshotGeneration}) is durable;
     * call this BEFORE deleting the entries below {@code firstKeptIndex} (at most {@code
     * snapshotIndex + 1}; a margin may stay for followers just behind): none is read from now on,
     * so the deletion may run on another thread. A follower needing one is sent the snapshot.
     *
     * @throws IllegalArgumentException if the snapshot is past what was handed out to apply, below
     *     the current snapshot, or names another generation than the entry at its index
     */
    public void compact(long snapshotIndex, long snapshotGeneration, long firstKeptIndex) {
        if (snapshotIndex > handedOut.handedOutCommitIndex()) {
            throw new IllegalArgumentException("replica " + config.id() + " cannot compact up to a snapshot at "
                    + snapshotIndex + ": only entries up to " + handedOut.handedOutCommitIndex()
                    + " were handed out to apply (commit index " + highWaterMark.index()
                    + "); snapshot only what was applied");
        }
        log.compact(snapshotIndex, snapshotGeneration, firstKeptIndex);
    }

    /** The driver could not transfer the snapshot to {@code peerId}: the leader probes it again later. */
    public void snapshotSendFailed(String peerId) {
        if (role == Role.LEADER) {
            leaderState().snapshotSendFailed(peerId);
        }
    }

    // ---- effects ------------------------------------------------------------------------

    public boolean hasReady() {
        return handedOut.hasReady(outbox, log, currentHardState(), roleState(), committedToApplyUpTo());
    }

    /** Collects the pending effects; they stay pending until {@link #advance(Ready)}. */
    public Ready ready() {
        return handedOut.collect(
                outbox, log, currentHardState(), roleState(), committedToApplyUpTo(), config.maxBytesPerAppend());
    }

    /** The driver has performed {@code ready}: forget those effects. */
    public void advance(Ready ready) {
        handedOut.advance(ready, outbox, log);
    }

    // ---- views --------------------------------------------------------------------------

    public RoleState roleState() {
        return new RoleState(role, leaderId, generation);
    }

    public long commitIndex() {
        return highWaterMark.index();
    }

    /** Leader only (empty otherwise): what it knows of each follower. */
    public Map<String, FollowerProgress> progress() {
        return role == Role.LEADER ? leaderState().progress() : Map.of();
    }

    /** The log as this replica sees it: durable entries followed by those not yet persisted. */
    public LogReader log() {
        return log;
    }

    public String id() {
        return config.id();
    }

    // ---- roles --------------------------------------------------------------------------

    private void becomeFollower(long newGeneration, @Nullable String newLeader) {
        if (newGeneration > generation) {
            generation = newGeneration;
            votedFor = null;
        }
        if (role == Role.LEADER) {
            reads.leadershipLost(newLeader, generation);
        }
        role = Role.FOLLOWER;
        leaderId = newLeader;
        leaderState = null;
        election.resetTimer();
    }

    private void campaign(boolean preVote) {
        election.resetTimer();
        election.startTally();
        leaderId = null;
        if (preVote) {
            role = Role.PRE_CANDIDATE;
        } else {
            role = Role.CANDIDATE;
            generation++;
            votedFor = config.id();
        }
        if (election.record(config.id(), true, cluster.voters().size()) == MajorityQuorum.VoteResult.WON) {
            if (preVote) {
                campaign(false);
            } else {
                becomeLeader();
            }
            return;
        }
        long campaignGeneration = preVote ? generation + 1 : generation;
        for (String peer : cluster.others(config.id())) {
            VoteRequest request = new VoteRequest(
                    config.id(), peer, campaignGeneration, preVote, log.lastIndex(), log.lastGeneration());
            if (preVote) {
                outbox.send(request);
            } else {
                outbox.sendAfterPersist(request); // our generation and self-vote must be durable first
            }
        }
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leaderId = config.id();
        leaderState = new LeaderState(config, cluster, log, highWaterMark, outbox, generation);
        // Reads are served only once this entry commits: then the commit index is current.
        // The no-op lets entries of earlier generations commit with one of ours.
        appendAsLeader(LogEntry.noop(generation, log.lastIndex() + 1));
    }

    private void appendAsLeader(LogEntry entry) {
        log.append(entry);
        leaderState().replicate();
    }

    // ---- message handlers ---------------------------------------------------------------

    private void onAppendRequest(AppendRequest request) {
        if (role != Role.FOLLOWER || !request.from().equals(leaderId)) {
            becomeFollower(generation, request.from());
        }
        election.heardFromLeader();
        followerAppends.onAppendRequest(request, generation);
    }

    private void onInstallSnapshot(InstallSnapshot message) {
        if (role != Role.FOLLOWER || !message.from().equals(leaderId)) {
            becomeFollower(generation, message.from());
        }
        election.heardFromLeader();
        SnapshotInstall install = followerAppends.onInstallSnapshot(message, generation);
        if (install != null) {
            handedOut.install(install);
        }
    }

    private void onVoteRequest(VoteRequest request) {
        boolean free = (votedFor == null && leaderId == null) || request.from().equals(votedFor);
        boolean canVote = free || (request.preVote() && request.generation() > generation);
        boolean grant = canVote && log.isAsUpToDateAs(request.lastIndex(), request.lastGeneration());
        if (grant && !request.preVote()) {
            votedFor = request.from();
            election.resetTimer();
        }
        // Sent only after the vote is durable: a restarted voter must not vote twice.
        outbox.sendAfterPersist(new VoteResponse(
                config.id(),
                request.from(),
                grant && request.preVote() ? request.generation() : generation,
                request.preVote(),
                grant));
    }

    private void onVoteResponse(VoteResponse response) {
        boolean current = response.preVote()
                ? role == Role.PRE_CANDIDATE
                        && response.generation() == (response.granted() ? generation + 1 : generation)
                : role == Role.CANDIDATE && response.generation() == generation;
        if (!current) {
            return;
        }
        MajorityQuorum.VoteResult result = election.record(
                response.from(), response.granted(), cluster.voters().size());
        if (result == MajorityQuorum.VoteResult.WON) {
            if (response.preVote()) {
                campaign(false);
            } else {
                becomeLeader();
            }
        } else if (result == MajorityQuorum.VoteResult.LOST) {
            becomeFollower(generation, null);
        }
    }

    private void onReadIndexRequest(ReadIndexRequest request) {
        if (role != Role.LEADER
                || !reads.registerAsLeader(
                        request.from(),
                        request.incarnation(),
                        request.requestId(),
                        leaderState(),
                        highWaterMark.index(),
                        generation)) {
            outbox.send(new ReadIndexResponse(
                    config.id(), request.from(), generation, request.requestId(), request.incarnation(), false, 0));
        }
    }

    // ---- commit and reads ---------------------------------------------------------------

    private void serveReads() {
        reads.serve(leaderState(), generation);
    }

    private @Nullable String knownLeader() {
        return leaderId;
    }

    /** The leader's part; present exactly while this replica leads, which every caller has checked. */
    private LeaderState leaderState() {
        if (leaderState == null) {
            throw new IllegalStateException("replica " + config.id() + " is " + role + ", not leader");
        }
        return leaderState;
    }

    /** Committed entries that are also durable here may be applied. */
    private long committedToApplyUpTo() {
        return Math.min(highWaterMark.index(), log.persistedIndex());
    }

    private HardState currentHardState() {
        return new HardState(generation, votedFor);
    }
}
