package dev.replication.core.simulation;

import dev.replication.core.LogEntry;
import dev.replication.core.LogReader;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.testsupport.history.CheckResult;
import dev.replication.testsupport.history.LinearizabilityChecker;
import dev.replication.testsupport.history.OperationRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safety properties of the replicated log, checked as the simulation runs:
 *
 * <ul>
 *   <li>election safety: at most one leader per generation;
 *   <li>log matching: two durable logs holding an entry of the same index and generation hold
 *       the same entries up to it (checked with prefix hashes per stored entry);
 *   <li>leader completeness: a leader of generation g holds every entry that a leader of a
 *       generation up to g has committed (checked on the highest such entry; log matching covers
 *       the rest);
 *   <li>state machine safety: every node applies the same entry at each index, and a snapshot
 *       (taken or installed) covers only committed entries, naming the committed entry's
 *       generation at its index;
 *   <li>the commit index of a running node never goes back.
 * </ul>
 */
public final class Invariants {

    private final Map<Long, String> leaderByGeneration = new HashMap<>();
    /** (index, generation) to the hash of the log prefix ending there. */
    private final Map<Long, Map<Long, Long>> prefixByEntry = new HashMap<>();

    private final List<LogEntry> committed = new ArrayList<>();
    private final Map<String, long[]> commitByNode = new HashMap<>();
    /** Per generation, the highest entry (index, generation) a leader of that generation committed. */
    private final TreeMap<Long, long[]> committedByGeneration = new TreeMap<>();

    /** The entries known committed, in order (index i at position i - 1). */
    public List<LogEntry> committed() {
        return committed;
    }

    public void checkRoles(List<SimulatedNode> nodes) {
        for (SimulatedNode node : nodes) {
            if (!node.isUp()) {
                continue;
            }
            long commitIndex = node.replica().commitIndex();
            long[] last = commitByNode.computeIfAbsent(node.id(), id -> new long[] {0, 0});
            if (last[0] == node.incarnation() && commitIndex < last[1]) {
                throw new SafetyViolation(
                        "commit index of " + node.id() + " went back from " + last[1] + " to " + commitIndex);
            }
            last[0] = node.incarnation();
            last[1] = commitIndex;
            RoleState state = node.replica().roleState();
            if (state.role() == Role.LEADER) {
                String previous = leaderByGeneration.putIfAbsent(state.generation(), node.id());
                if (previous != null && !previous.equals(node.id())) {
                    throw new SafetyViolation(
                            "two leaders in generation " + state.generation() + ": " + previous + " and " + node.id());
                }
                recordCommitsOf(node, state.generation(), commitIndex);
            }
        }
        for (SimulatedNode node : nodes) {
            if (node.isUp() && node.replica().roleState().role() == Role.LEADER) {
                checkLeaderCompleteness(node, node.replica().roleState().generation());
            }
        }
    }

    /** Remembers which entries a leader of {@code generation} has committed (its commit index). */
    private void recordCommitsOf(SimulatedNode leader, long generation, long commitIndex) {
        long[] known = committedByGeneration.get(generation);
        if (commitIndex == 0 || (known != null && known[0] >= commitIndex)) {
            return;
        }
        // The generation, not the entry: the entry at the commit index may be compacted.
        committedByGeneration.put(
                generation, new long[] {commitIndex, leader.replica().log().generationAt(commitIndex)});
    }

    /**
     * A leader of generation g holds every entry committed by a leader of a generation up to g:
     * checks the highest such entry, log matching covers those before it.
     */
    private void checkLeaderCompleteness(SimulatedNode leader, long generation) {
        long[] required = null;
        for (long[] entry : committedByGeneration.headMap(generation, true).values()) {
            if (required == null || entry[0] > required[0]) {
                required = entry;
            }
        }
        if (required == null) {
            return;
        }
        LogReader log = leader.replica().log();
        // A compacted entry is covered by the leader's snapshot, whose entries checkSnapshot
        // proved committed; every other one is checked.
        if (required[0] >= log.firstIndex() - 1
                && (log.lastIndex() < required[0] || log.generationAt(required[0]) != required[1])) {
            throw new SafetyViolation("leader " + leader.id() + " of generation " + generation
                    + " lacks entry " + required[0] + "@g" + required[1]
                    + ", committed by a leader of a generation up to its own (leader completeness)");
        }
    }

    public void checkPersisted(SimulatedNode node, List<LogEntry> entries) {
        MemoryLog log = node.durableLog();
        for (LogEntry entry : entries) {
            long hash = log.prefixHash(entry.index());
            Long known = prefixByEntry
                    .computeIfAbsent(entry.index(), i -> new HashMap<>())
                    .putIfAbsent(entry.generation(), hash);
            if (known != null && known != hash) {
                throw new SafetyViolation("log matching broken at " + node.id() + ": entry " + entry
                        + " has the same index and generation as an entry elsewhere but a different history before it");
            }
        }
    }

    /** A snapshot at {@code index} of {@code generation}: it may cover committed entries only. */
    public void checkSnapshot(SimulatedNode node, long index, long generation) {
        if (index > committed.size()) {
            throw new SafetyViolation(node.id() + " has a snapshot at " + index + " but only " + committed.size()
                    + " entries are committed: a snapshot covered uncommitted entries");
        }
        if (index > 0 && committed.get((int) index - 1).generation() != generation) {
            throw new SafetyViolation(node.id() + " has a snapshot at " + index + "@g" + generation
                    + " but the committed entry there is " + committed.get((int) index - 1));
        }
    }

    public void checkApplied(SimulatedNode node, LogEntry entry) {
        int position = (int) entry.index() - 1;
        if (position < committed.size()) {
            LogEntry known = committed.get(position);
            if (!known.equals(entry)) {
                throw new SafetyViolation("state machine safety broken: " + node.id() + " applied " + entry + " at "
                        + entry.index() + " where " + known + " was applied elsewhere");
            }
            return;
        }
        if (position != committed.size()) {
            throw new SafetyViolation(node.id() + " applied " + entry + " with a gap after " + committed.size());
        }
        committed.add(entry);
    }

    /**
     * After every fault healed and the cluster settled: every state machine holds the same
     * values, every node's durable snapshot or log holds every committed entry (no acknowledged
     * write lost), and the client history is linearizable.
     */
    public void checkSettled(List<SimulatedNode> nodes, List<OperationRecord> history) {
        for (SimulatedNode node : nodes) {
            if (!node.stateMachine()
                    .snapshot()
                    .equals(nodes.get(0).stateMachine().snapshot())) {
                throw new SafetyViolation(
                        "state machines differ after settling: " + nodes.get(0).id() + " "
                                + nodes.get(0).stateMachine().snapshot() + " vs " + node.id() + " "
                                + node.stateMachine().snapshot());
            }
            long snapshotIndex =
                    node.durableSnapshot() == null ? 0 : node.durableSnapshot().index();
            MemoryLog log = node.durableLog();
            for (LogEntry entry : committed) {
                // Below its durable snapshot an entry is covered by it (checked when it was taken).
                if (entry.index() > snapshotIndex
                        && (entry.index() < log.firstIndex()
                                || entry.index() > log.lastIndex()
                                || !log.entry(entry.index()).equals(entry))) {
                    throw new SafetyViolation("committed entry " + entry + " is missing from the durable log of "
                            + node.id() + " (holding [" + log.firstIndex() + ".." + log.lastIndex()
                            + "] after a snapshot at " + snapshotIndex
                            + ") after settling: an acknowledged write was lost");
                }
            }
        }
        CheckResult result = LinearizabilityChecker.check(history);
        if (!result.linearizable()) {
            throw new SafetyViolation("client history is not linearizable: " + result.explanation());
        }
    }
}
