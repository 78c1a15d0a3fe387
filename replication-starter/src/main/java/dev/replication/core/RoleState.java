package dev.replication.core;

/**
 * Volatile view of who leads: this node's role, the leader it knows of (null: none known) and
 * the generation. Not persisted.
 */
public record RoleState(Role role, String leaderId, long generation) {
}
