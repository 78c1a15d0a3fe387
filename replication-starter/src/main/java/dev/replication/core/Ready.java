package dev.replication.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything the driver must do after feeding the core events. The order is the contract, stated
 * once in {@link #performIn(ReadyEffects)}:
 *
 * <ol>
 *   <li>persist {@link #hardState()} (if not null) with fsync;
 *   <li>install {@link #snapshotToInstall()} (if not null): the snapshot received with the
 *       leader's {@link InstallSnapshot} becomes the state and the log's base, before any entry
 *       of this Ready is stored (they follow the snapshot) or applied (they start after it);
 *   <li>send {@link #messages()};
 *   <li>start appending {@link #entries()} durably (truncating a conflicting stored suffix first);
 *   <li>once the install and those entries are durable: send {@link #messagesAfterPersist()}
 *       (votes, append and snapshot acknowledgements) and report {@link Replica#persisted};
 *   <li>apply {@link #committedEntries()} in order (they are always durable locally);
 *   <li>serve {@link #readStates()} once their read index is applied, and re-route or fail
 *       {@link #readRejections()};
 *   <li>report {@link #lostEntries()} (followers that lost entries they had acknowledged);
 *   <li>report a changed {@link #roleState()};
 * </ol>
 *
 * and then the driver calls {@link Replica#advance(Ready)}.
 *
 * @param snapshotToInstall a leader's snapshot to swap in (follower only), else null
 * @param roleState the new role/leader/generation if it changed since the last Ready, else null
 */
public record Ready(
        @Nullable HardState hardState,
        @Nullable SnapshotInstall snapshotToInstall,
        List<LogEntry> entries,
        List<Message> messages,
        List<Message> messagesAfterPersist,
        List<LogEntry> committedEntries,
        List<ReadState> readStates,
        List<ReadRejection> readRejections,
        List<LostEntries> lostEntries,
        @Nullable RoleState roleState) {

    public Ready {
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        messagesAfterPersist = List.copyOf(messagesAfterPersist);
        committedEntries = List.copyOf(committedEntries);
        readStates = List.copyOf(readStates);
        readRejections = List.copyOf(readRejections);
        lostEntries = List.copyOf(lostEntries);
    }

    /** Performs this Ready's effects in the contract's order (see the class comment). */
    public void performIn(ReadyEffects effects) {
        if (hardState != null) {
            effects.persistHardState(hardState);
        }
        if (snapshotToInstall != null) {
            effects.installSnapshot(snapshotToInstall);
        }
        if (!messages.isEmpty()) {
            effects.send(messages);
        }
        long lastIndex = 0;
        long lastGeneration = 0;
        if (!entries.isEmpty()) {
            effects.append(entries);
            LogEntry last = entries.get(entries.size() - 1);
            lastIndex = last.index();
            lastGeneration = last.generation();
        }
        if (lastIndex > 0 || !messagesAfterPersist.isEmpty()) {
            effects.afterPersist(messagesAfterPersist, lastIndex, lastGeneration);
        }
        for (LogEntry entry : committedEntries) {
            effects.apply(entry);
        }
        if (!readStates.isEmpty() || !readRejections.isEmpty()) {
            effects.reads(readStates, readRejections);
        }
        if (!lostEntries.isEmpty()) {
            effects.followerLostEntries(lostEntries);
        }
        if (roleState != null) {
            effects.roleChanged(roleState);
        }
    }

    public boolean isEmpty() {
        return hardState == null
                && snapshotToInstall == null
                && entries.isEmpty()
                && messages.isEmpty()
                && messagesAfterPersist.isEmpty()
                && committedEntries.isEmpty()
                && readStates.isEmpty()
                && readRejections.isEmpty()
                && lostEntries.isEmpty()
                && roleState == null;
    }
}
