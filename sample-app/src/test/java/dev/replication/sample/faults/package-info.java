/**
 * Fault tests with real processes: three sample-app JVMs started from the built jar, clients
 * recording a history over HTTP while nodes are killed, paused and restarted, and the history
 * checked for linearizability. Run by {@code ./mvnw verify} in the integration-test phase,
 * after the jar is built.
 */
package dev.replication.sample.faults;
