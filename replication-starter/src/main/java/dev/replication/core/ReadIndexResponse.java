package dev.replication.core;

/**
 * Leader to follower: the read index for {@code requestId}, or a refusal when the sender
 * cannot serve it (not the leader, or its no-op of the current generation has not committed).
 *
 * @param incarnation the requesting process's incarnation, from its {@link ReadIndexRequest}
 */
public record ReadIndexResponse(
        String from, String to, long generation, long requestId, long incarnation, boolean accepted, long readIndex)
        implements Message {}
