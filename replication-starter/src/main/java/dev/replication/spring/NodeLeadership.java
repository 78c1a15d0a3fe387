package dev.replication.spring;

import dev.replication.api.LeaderOnly;
import dev.replication.api.Leadership;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import dev.replication.runtime.ReplicationNode;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;

/**
 * {@link Leadership} backed by the node, and the interceptor that admits {@link LeaderOnly}
 * calls only on the leader, remembering the generation each call was admitted in.
 */
final class NodeLeadership implements Leadership {

    private static final ThreadLocal<Long> ADMITTED_GENERATION = new ThreadLocal<>();

    private final ObjectProvider<ReplicationNode> node;

    NodeLeadership(ObjectProvider<ReplicationNode> node) {
        this.node = node;
    }

    @Override
    public String nodeId() {
        return node.getObject().nodeId();
    }

    @Override
    public boolean isLeader() {
        return node.getObject().isLeader();
    }

    @Override
    public Optional<String> leaderId() {
        return Optional.ofNullable(node.getObject().roleState().leaderId());
    }

    @Override
    public long generation() {
        Long admitted = ADMITTED_GENERATION.get();
        if (admitted != null) {
            return admitted;
        }
        RoleState state = node.getObject().roleState();
        if (state.role() != Role.LEADER) {
            throw new NotLeaderException(
                    "node " + nodeId() + " is not the leader (leader: " + state.leaderId()
                            + "); call generation() inside a @LeaderOnly method or on the leader",
                    state.leaderId());
        }
        return state.generation();
    }

    /** Runs a {@link LeaderOnly} method only on the leader. */
    private @Nullable Object invokeIfLeader(MethodInvocation invocation) throws Throwable {
        RoleState state = node.getObject().roleState();
        if (state.role() != Role.LEADER) {
            return null;
        }
        Long outer = ADMITTED_GENERATION.get();
        ADMITTED_GENERATION.set(state.generation());
        try {
            return invocation.proceed();
        } finally {
            if (outer == null) {
                ADMITTED_GENERATION.remove();
            } else {
                ADMITTED_GENERATION.set(outer);
            }
        }
    }

    /**
     * Proxies beans with {@link LeaderOnly} methods. Runs before other post-processors (such as
     * the one behind {@code @Scheduled}) so they see the proxy, not the raw bean.
     */
    static final class LeaderOnlyPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

        LeaderOnlyPostProcessor(ObjectProvider<Leadership> leadership) {
            MethodInterceptor admitOnLeader = invocation -> {
                Leadership current = leadership.getObject();
                if (current instanceof NodeLeadership node) {
                    return node.invokeIfLeader(invocation);
                }
                // An application's own Leadership bean decides alone.
                return current.isLeader() ? invocation.proceed() : null;
            };
            this.advisor = new DefaultPointcutAdvisor(
                    AnnotationMatchingPointcut.forMethodAnnotation(LeaderOnly.class), admitOnLeader);
            setProxyTargetClass(true);
            setOrder(Ordered.HIGHEST_PRECEDENCE);
        }
    }
}
