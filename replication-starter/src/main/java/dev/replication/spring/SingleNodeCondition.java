package dev.replication.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The negation: a cluster of one. */
final class SingleNodeCondition extends MultiNodeCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionOutcome multi = super.getMatchOutcome(context, metadata);
        return new ConditionOutcome(!multi.isMatch(), multi.getConditionMessage());
    }
}
