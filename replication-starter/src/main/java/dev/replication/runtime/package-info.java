/**
 * The running node: one thread (the Singular Update Queue) owns the consensus core and turns
 * its {@link dev.replication.core.Ready} effects into I/O in the safe order (persist before
 * acknowledging, apply before answering), forwards proposals and reads to the leader, and
 * drives time with ticks.
 */
package dev.replication.runtime;
