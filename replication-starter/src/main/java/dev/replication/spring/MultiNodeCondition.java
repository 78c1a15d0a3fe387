package dev.replication.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code replication.peers} names other nodes than this one: a network is needed. */
class MultiNodeCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String peers = context.getEnvironment().getProperty("replication.peers", "");
        int members = ClusterMembers.parse(peers).peers().size();
        return members > 1
                ? ConditionOutcome.match("replication.peers lists " + members + " nodes")
                : ConditionOutcome.noMatch("replication.peers lists " + members + " node(s): a cluster of one");
    }
}
