package dev.replication.core;

import java.util.List;

/**
 * Everything the driver must do after feeding the core events, in this order:
 *
 * <ol>
 *   <li>send {@link #messages()} (they depend on nothing unpersisted: the leader may replicate
 *       before its own fsync because it counts itself only after {@link Replica#persisted});
 *   <li>persist {@link #hardState()} (if not null) with fsync, and append {@link #entries()}
 *       durably (if the first entry's index is at or below the last stored index, the stored
 *       suffix from that index is truncated first);
 *   <li>then, and only then, send {@link #messagesAfterPersist()} (votes, append
 *       acknowledgements) and report {@link Replica#persisted};
 *   <li>apply {@link #committedEntries()} in order (they are always durable locally), then
 *       serve {@link #readStates()} whose read index has been applied and fail {@link
 *       #readRejections()};
 *   <li>call {@link Replica#advance(Ready)}.
 * </ol>
 *
 * @param roleState the new role/leader/generation if it changed since the last Ready, else null
 */
public record Ready(
        HardState hardState,
        List<LogEntry> entries,
        List<Message> messages,
        List<Message> messagesAfterPersist,
        List<LogEntry> committedEntries,
        List<ReadState> readStates,
        List<ReadRejection> readRejections,
        RoleState roleState) {

    public Ready {
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        messagesAfterPersist = List.copyOf(messagesAfterPersist);
        committedEntries = List.copyOf(committedEntries);
        readStates = List.copyOf(readStates);
        readRejections = List.copyOf(readRejections);
    }

    public boolean isEmpty() {
        return hardState == null
                && entries.isEmpty()
                && messages.isEmpty()
                && messagesAfterPersist.isEmpty()
                && committedEntries.isEmpty()
                && readStates.isEmpty()
                && readRejections.isEmpty()
                && roleState == null;
    }
}
