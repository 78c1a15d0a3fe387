package dev.replication.spring;

import dev.replication.runtime.ReplicationNode;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Operators' view of the node, when Actuator is on the classpath: the {@code replication}
 * health contributor (readiness) and the {@code /actuator/replication} endpoint.
 */
@AutoConfiguration(after = ReplicationAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(ReplicationNode.class)
public final class ReplicationActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    ReplicationEndpoint replicationEndpoint(ReplicationNode node) {
        return new ReplicationEndpoint(node);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {

        @Bean(name = "replicationHealthIndicator")
        @ConditionalOnMissingBean(name = "replicationHealthIndicator", value = ReplicationHealthIndicator.class)
        @ConditionalOnEnabledHealthIndicator("replication")
        ReplicationHealthIndicator replicationHealthIndicator(ReplicationNode node) {
            return new ReplicationHealthIndicator(node, 10_000);
        }
    }
}
