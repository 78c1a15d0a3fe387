package dev.replication.core;

import java.util.List;

/**
 * What a driver (the runtime's node, the simulator's node) does with a {@link Ready}. The ORDER
 * in which these are called is the one contract between the core and its drivers, and it lives
 * in exactly one place: {@link Ready#performIn(ReadyEffects)}. Drivers implement the effects;
 * they never re-order them.
 */
public interface ReadyEffects {

    /**
     * Stores generation and vote durably (fsync'd) before returning. Called first: every message
     * of the same Ready carries the generation, and a vote granted in it must survive a crash.
     */
    void persistHardState(HardState hardState);

    /**
     * Follower only: makes the snapshot that arrived with the leader's {@link InstallSnapshot}
     * (already stored aside and fsync'd) the state machine's state ({@link
     * StateMachine#restoreSnapshot}) and the log's base, atomically: after a crash the node has
     * either the old state and log or the new ones. With {@link SnapshotInstall#keepSuffix()} the
     * stored entries after the snapshot's index stay, otherwise the whole stored log goes; the
     * entries of this Ready's {@link #append} follow the snapshot's index. Called right after the
     * hard state, before anything else; {@link #afterPersist} waits for it as for an append.
     */
    void installSnapshot(SnapshotInstall install);

    /**
     * Sends messages that depend on nothing unpersisted except what {@link #persistHardState}
     * already made durable. A leader may replicate entries before its own fsync because it counts
     * itself toward the quorum only after {@link Replica#persisted}.
     */
    void send(List<Message> messages);

    /**
     * Starts appending {@code entries} durably, in log order after every earlier append. If the
     * first entry's index is at or below the last stored index, the stored suffix from that index
     * is truncated first. May complete asynchronously.
     */
    void append(List<LogEntry> entries);

    /**
     * Once everything handed to {@link #append} so far is durable (immediately, if nothing was):
     * send {@code messages} (votes, append acknowledgements) and, if {@code lastIndex > 0}, report
     * {@link Replica#persisted(long, long)} with {@code lastIndex} and {@code lastGeneration}.
     */
    void afterPersist(List<Message> messages, long lastIndex, long lastGeneration);

    /** Applies a committed entry (always durable locally), in index order. */
    void apply(LogEntry committed);

    /**
     * Serves reads whose read index is known (wait until that index is applied) and fails or
     * re-routes rejected ones. Called after this Ready's committed entries are applied.
     */
    void reads(List<ReadState> readStates, List<ReadRejection> readRejections);

    /**
     * Leader only: followers that answered in a way proving they lost entries they had
     * acknowledged (see {@link LostEntries}); each finding is reported once. Log and count it.
     */
    void followerLostEntries(List<LostEntries> lost);

    /** Role, leader or generation changed; called last, after this Ready's entries were applied. */
    void roleChanged(RoleState roleState);
}
