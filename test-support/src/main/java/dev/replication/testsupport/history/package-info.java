/**
 * Client histories of a key-value register and their linearizability check, shared by the
 * deterministic simulator and the real-process fault tests.
 */
package dev.replication.testsupport.history;
