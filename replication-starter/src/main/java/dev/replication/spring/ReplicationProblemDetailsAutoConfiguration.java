package dev.replication.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ProblemDetail;

/**
 * In a servlet web application, answers the starter's exceptions with problem details
 * ({@link ReplicationProblemDetails}) instead of a bare 500.
 *
 * <p>Independent of {@code replication.enabled}: the exceptions belong to the public API, and an
 * application that tests its controllers against its own {@code ReplicatedMap} (with the node
 * switched off) should see the same answers as in production.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(ProblemDetail.class)
public final class ReplicationProblemDetailsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ReplicationProblemDetails replicationProblemDetails() {
        return new ReplicationProblemDetails();
    }
}
