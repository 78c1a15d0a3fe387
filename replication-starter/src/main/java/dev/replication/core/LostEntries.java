package dev.replication.core;

/**
 * A leader's finding that a follower no longer holds entries it had acknowledged: it answered a
 * request sent after its acknowledgement with a rejection at or below its match index. This
 * happens when the follower acknowledges before its fsync ({@code fsync-policy=interval}) and
 * loses power. The leader stops counting those entries as stored there and sends them again;
 * the driver reports the finding to operators (once per finding).
 *
 * @param follower the follower's id
 * @param fromIndex the first index the follower no longer holds as acknowledged
 * @param toIndex the match index the leader had recorded for it
 */
public record LostEntries(String follower, long fromIndex, long toIndex) {}
