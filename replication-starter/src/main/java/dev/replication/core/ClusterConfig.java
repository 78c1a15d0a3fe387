package dev.replication.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who votes. Fixed from {@link ReplicaConfig#voters()} for now; membership changes will replace
 * it through configuration entries in the log.
 */
public record ClusterConfig(Set<String> voters) {

    public ClusterConfig {
        voters = Set.copyOf(voters);
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one voter");
        }
    }

    /** The voters other than {@code self}, in a stable (sorted) order. */
    public List<String> others(String self) {
        List<String> others = new ArrayList<>(new TreeSet<>(voters));
        others.remove(self);
        return others;
    }

    public boolean isVoter(String id) {
        return voters.contains(id);
    }

    /** How many voters make a majority. */
    public int quorum() {
        return MajorityQuorum.quorumSize(voters.size());
    }
}
