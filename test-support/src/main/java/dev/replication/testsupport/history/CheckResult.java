package dev.replication.testsupport.history;

/**
 * The verdict of a linearizability check.
 *
 * @param linearizable whether every key's sub-history is linearizable
 * @param explanation for a violation, the key and the smallest set of operations that cannot
 *     be ordered, readable by a human; a summary otherwise
 */
public record CheckResult(boolean linearizable, String explanation, int operations, int keys) {}
