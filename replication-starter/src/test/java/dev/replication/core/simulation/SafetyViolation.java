package dev.replication.core.simulation;

/** An invariant of the replicated log does not hold. */
public final class SafetyViolation extends RuntimeException {

    public SafetyViolation(String message) {
        super(message);
    }
}
