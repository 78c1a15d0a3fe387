package dev.replication.core.simulation;

/**
 * A node's snapshot of its state machine, as the simulator's driver stores it and ships it with
 * an {@link dev.replication.core.InstallSnapshot} (the core never sees the bytes).
 *
 * @param index the last entry the snapshot covers
 * @param generation the generation of that entry
 * @param data what {@link KeyValueStateMachine#writeSnapshot} wrote
 * @param prefixHash the hash of the log prefix 1..index on the node that took it, so a node that
 *     installs it can go on checking log matching after discarding its own log
 */
public record SimulatedSnapshot(long index, long generation, byte[] data, long prefixHash) {}
