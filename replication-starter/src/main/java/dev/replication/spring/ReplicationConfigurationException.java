package dev.replication.spring;

import org.jspecify.annotations.Nullable;

/**
 * A mistake in {@code replication.*} found at startup: what is wrong (naming the property and
 * the value) and what to do about it, kept apart so {@link ReplicationConfigurationFailureAnalyzer}
 * can show them as one Description and one Action instead of a stack of nested causes.
 */
public class ReplicationConfigurationException extends RuntimeException {

    private final String description;
    private final String action;

    public ReplicationConfigurationException(String description, String action) {
        this(description, action, null);
    }

    public ReplicationConfigurationException(String description, String action, @Nullable Throwable cause) {
        super(description + "; " + action, cause);
        this.description = description;
        this.action = action;
    }

    /** What is wrong, naming the property. */
    public String description() {
        return description;
    }

    /** How to fix it. */
    public String action() {
        return action;
    }
}
