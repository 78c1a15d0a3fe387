package dev.replication.core;

/**
 * Follower to leader: the answer to one {@link AppendRequest}.
 *
 * @param success whether the consistency check at {@code prevIndex} passed
 * @param matchIndex on success, the index the follower now knows matches the leader's log:
 *     {@code prevIndex + entries.size()} of the request answered, never the follower's last
 *     index (a longer stale tail would otherwise be counted as replicated); on rejection, the
 *     {@code prevIndex} that failed the check, so the leader can tell a stale rejection from a
 *     current one
 * @param hintIndex on rejection, where the leader should probe next (the follower's last index
 *     plus one, or the first index of the conflicting generation), so it backs up by more than
 *     one entry at a time; 0 when the request was rejected for its stale generation, not for
 *     the log
 * @param hintGeneration on rejection, the generation of the follower's entry at {@code
 *     hintIndex - 1} (0 if none), letting the leader skip a whole conflicting generation
 * @param round the {@link AppendRequest#round()} being answered; 0 when rejecting a request of
 *     an older generation (its round belongs to another leadership and must confirm no read)
 */
public record AppendResponse(
        String from,
        String to,
        long generation,
        boolean success,
        long matchIndex,
        long hintIndex,
        long hintGeneration,
        long round)
        implements Message {}
