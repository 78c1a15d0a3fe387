package dev.replication.core.simulation;

import dev.replication.core.LogEntry;
import dev.replication.core.LogReader;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The safety properties of the replicated log, checked as the simulation runs:
 *
 * <ul>
 *   <li>election safety: at most one leader per generation;
 *   <li>log matching: two durable logs holding an entry of the same index and generation hold
 *       the same entries up to it (checked with prefix hashes per stored entry);
 *   <li>leader completeness: a leader whose generation is at least that of the last committed
 *       entry holds that entry (and so, by log matching, every committed entry);
 *   <li>state machine safety: every node applies the same entry at each index;
 *   <li>the commit index of a running node never goes back.
 * </ul>
 */
public final class Invariants {

    private final Map<Long, String> leaderByGeneration = new HashMap<>();
    /** (index, generation) to the hash of the log prefix ending there. */
    private final Map<Long, Map<Long, Long>> prefixByEntry = new HashMap<>();
    private final List<LogEntry> committed = new ArrayList<>();
    private final Map<String, long[]> commitByNode = new HashMap<>();

    /** The entries known committed, in order (index i at position i - 1). */
    public List<LogEntry> committed() {
        return committed;
    }

    public void checkRoles(List<SimulatedNode> nodes) {
        long lastCommittedGeneration = committed.isEmpty() ? 0 : committed.get(committed.size() - 1).generation();
        for (SimulatedNode node : nodes) {
            if (!node.isUp()) {
                continue;
            }
            RoleState state = node.replica().roleState();
            long commitIndex = node.replica().commitIndex();
            long[] last = commitByNode.computeIfAbsent(node.id(), id -> new long[] {0, 0});
            if (last[0] == node.incarnation() && commitIndex < last[1]) {
                throw new SafetyViolation("commit index of " + node.id() + " went back from " + last[1] + " to "
                        + commitIndex);
            }
            last[0] = node.incarnation();
            last[1] = commitIndex;
            if (state.role() != Role.LEADER) {
                continue;
            }
            String previous = leaderByGeneration.putIfAbsent(state.generation(), node.id());
            if (previous != null && !previous.equals(node.id())) {
                throw new SafetyViolation("two leaders in generation " + state.generation() + ": " + previous
                        + " and " + node.id());
            }
            if (!committed.isEmpty() && state.generation() >= lastCommittedGeneration) {
                LogEntry lastCommitted = committed.get(committed.size() - 1);
                LogReader log = node.replica().log();
                if (log.lastIndex() < lastCommitted.index()
                        || log.generationAt(lastCommitted.index()) != lastCommitted.generation()) {
                    throw new SafetyViolation("leader " + node.id() + " of generation " + state.generation()
                            + " lacks committed entry " + lastCommitted + " (leader completeness)");
                }
            }
        }
    }

    public void checkPersisted(SimulatedNode node, List<LogEntry> entries) {
        MemoryLog log = node.durableLog();
        for (LogEntry entry : entries) {
            long hash = log.prefixHash(entry.index());
            Long known = prefixByEntry.computeIfAbsent(entry.index(), i -> new HashMap<>())
                    .putIfAbsent(entry.generation(), hash);
            if (known != null && known != hash) {
                throw new SafetyViolation("log matching broken at " + node.id() + ": entry " + entry
                        + " has the same index and generation as an entry elsewhere but a different history before it");
            }
        }
    }

    public void checkApplied(SimulatedNode node, LogEntry entry) {
        int position = (int) entry.index() - 1;
        if (position < committed.size()) {
            LogEntry known = committed.get(position);
            if (!known.equals(entry)) {
                throw new SafetyViolation("state machine safety broken: " + node.id() + " applied " + entry
                        + " at " + entry.index() + " where " + known + " was applied elsewhere");
            }
            return;
        }
        if (position != committed.size()) {
            throw new SafetyViolation(node.id() + " applied " + entry + " with a gap after " + committed.size());
        }
        committed.add(entry);
    }
}
