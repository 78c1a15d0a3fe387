package dev.replication.core;

import org.jspecify.annotations.Nullable;

/**
 * Volatile view of who leads: this node's role, the leader it knows of (null: none known) and
 * the generation. Not persisted.
 */
public record RoleState(Role role, @Nullable String leaderId, long generation) {}
