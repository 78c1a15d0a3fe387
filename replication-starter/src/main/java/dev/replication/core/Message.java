package dev.replication.core;

/**
 * A message between replicas. Every message carries the sender's generation (Generation
 * Clock): a receiver that sees a higher one adopts it and steps down; a lower one is stale and
 * is answered with the receiver's current generation.
 */
public sealed interface Message
        permits AppendRequest,
                AppendResponse,
                VoteRequest,
                VoteResponse,
                ReadIndexRequest,
                ReadIndexResponse,
                TimeoutNow,
                InstallSnapshot {

    /** Id of the sending node. */
    String from();

    /** Id of the receiving node. */
    String to();

    /** The sender's generation (term) when it sent the message. */
    long generation();
}
