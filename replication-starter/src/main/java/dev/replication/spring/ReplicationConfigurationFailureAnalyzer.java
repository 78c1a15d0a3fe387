package dev.replication.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link ReplicationConfigurationException}, wherever it sits in the chain of causes
 * (a bean creation, a condition), into Spring Boot's "APPLICATION FAILED TO START" report: the
 * operator reads what is wrong and what to change, not a stack trace.
 */
final class ReplicationConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ReplicationConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ReplicationConfigurationException cause) {
        return new FailureAnalysis(cause.description(), cause.action(), cause);
    }
}
