package dev.replication.core;

/**
 * Leader to follower: the read index for {@code requestId}, or a refusal when the sender
 * cannot serve it (not the leader, or its no-op of the current generation has not committed).
 */
public record ReadIndexResponse(
        String from,
        String to,
        long generation,
        long requestId,
        boolean accepted,
        long readIndex) implements Message {
}
