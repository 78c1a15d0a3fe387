/**
 * Client histories of a key-value register and their linearizability check, shared by the
 * deterministic simulator and the real-process fault tests. {@link
 * dev.replication.testsupport.history.History} records what clients did and saw; {@link
 * dev.replication.testsupport.history.LinearizabilityChecker} decides whether some order of those
 * operations, consistent with real time, explains every result.
 */
@NullMarked
package dev.replication.testsupport.history;

import org.jspecify.annotations.NullMarked;
