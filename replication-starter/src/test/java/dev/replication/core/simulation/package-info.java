/**
 * The deterministic simulator: many {@link dev.replication.core.Replica}s driven by one seeded
 * scheduler over a simulated network (loss, duplication, reordering, delay, partitions) with
 * crashes that lose everything not yet persisted, restarts and long pauses; invariants checked
 * at every step and client histories checked for linearizability. Shipped in the module's
 * test-jar so later modules' tests can reuse it.
 */
package dev.replication.core.simulation;
