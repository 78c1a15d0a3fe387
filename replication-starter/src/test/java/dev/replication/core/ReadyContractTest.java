package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one order in which a driver performs a {@link Ready}. */
class ReadyContractTest {

    private final List<String> performed = new ArrayList<>();

    private final ReadyEffects recording = new ReadyEffects() {
        @Override
        public void persistHardState(HardState hardState) {
            performed.add("persistHardState " + hardState.generation());
        }

        @Override
        public void installSnapshot(SnapshotInstall install) {
            performed.add("installSnapshot " + install.index() + "@" + install.generation()
                    + (install.keepSuffix() ? " keeping the suffix" : ""));
        }

        @Override
        public void send(List<Message> messages) {
            performed.add("send " + messages.size());
        }

        @Override
        public void append(List<LogEntry> entries) {
            performed.add("append " + entries.get(0).index() + ".."
                    + entries.get(entries.size() - 1).index());
        }

        @Override
        public void afterPersist(List<Message> messages, long lastIndex, long lastGeneration) {
            performed.add("afterPersist " + messages.size() + " up to " + lastIndex + "@" + lastGeneration);
        }

        @Override
        public void apply(LogEntry committed) {
            performed.add("apply " + committed.index());
        }

        @Override
        public void reads(List<ReadState> readStates, List<ReadRejection> readRejections) {
            performed.add("reads " + readStates.size() + "/" + readRejections.size());
        }

        @Override
        public void followerLostEntries(List<LostEntries> lost) {
            performed.add("followerLostEntries " + lost.size());
        }

        @Override
        public void roleChanged(RoleState roleState) {
            performed.add("roleChanged " + roleState.role());
        }
    };

    @Test
    void hardStateIsDurableBeforeAnythingIsSentAndAcknowledgementsWaitForTheAppend() {
        Ready ready = new Ready(
                new HardState(3, "n1"),
                null,
                List.of(LogEntry.noop(3, 5), LogEntry.noop(3, 6)),
                List.of(new VoteResponse("n1", "n2", 3, false, true)),
                List.of(new VoteResponse("n1", "n3", 3, false, true)),
                List.of(LogEntry.noop(2, 4)),
                List.of(new ReadState(1, 4)),
                List.of(),
                List.of(new LostEntries("n3", 2, 4)),
                new RoleState(Role.FOLLOWER, "n2", 3));

        ready.performIn(recording);

        assertThat(performed)
                .containsExactly(
                        "persistHardState 3",
                        "send 1",
                        "append 5..6",
                        "afterPersist 1 up to 6@3",
                        "apply 4",
                        "reads 1/0",
                        "followerLostEntries 1",
                        "roleChanged FOLLOWER");
    }

    @Test
    void anEmptyReadyPerformsNothing() {
        Ready ready = new Ready(
                null, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null);

        ready.performIn(recording);

        assertThat(performed).isEmpty();
    }

    @Test
    void acknowledgementsWithoutNewEntriesStillWaitForEarlierAppends() {
        Ready ready = new Ready(
                null,
                null,
                List.of(),
                List.of(),
                List.of(new VoteResponse("n1", "n2", 3, false, true)),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null);

        ready.performIn(recording);

        assertThat(performed).containsExactly("afterPersist 1 up to 0@0");
    }

    @Test
    void aSnapshotIsInstalledRightAfterTheHardStateAndItsAcknowledgementWaitsForIt() {
        Ready ready = new Ready(
                new HardState(4, null),
                new SnapshotInstall(20, 3, false),
                List.of(LogEntry.noop(4, 21)),
                List.of(new VoteResponse("n1", "n3", 4, true, false)),
                List.of(new AppendResponse("n1", "n2", 4, true, 20, 0, 0, 0)),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                new RoleState(Role.FOLLOWER, "n2", 4));

        ready.performIn(recording);

        assertThat(performed)
                .containsExactly(
                        "persistHardState 4",
                        "installSnapshot 20@3",
                        "send 1",
                        "append 21..21",
                        "afterPersist 1 up to 21@4",
                        "roleChanged FOLLOWER");
    }

    @Test
    void aReadyWithOnlyASnapshotToInstallIsNotEmpty() {
        Ready ready = new Ready(
                null,
                new SnapshotInstall(9, 2, true),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                null);

        ready.performIn(recording);

        assertThat(ready.isEmpty()).isFalse();
        assertThat(performed).containsExactly("installSnapshot 9@2 keeping the suffix");
    }
}
