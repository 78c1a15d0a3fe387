package dev.replication.testsupport.history;

/** How an operation ended, as far as the client knows. */
public enum Outcome {
    /** Completed with a result. */
    OK,
    /** Certainly not applied (for example refused before entering the log). */
    FAILED,
    /** May or may not have taken effect (timeout, leader lost, never answered). */
    UNKNOWN
}
