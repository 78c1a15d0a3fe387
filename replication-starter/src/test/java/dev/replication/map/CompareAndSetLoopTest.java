package dev.replication.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.api.UpdateContentionException;
import dev.replication.api.Versioned;
import dev.replication.map.CompareAndSetLoop.Step;
import dev.replication.map.CompareAndSetLoop.WriteAttempt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CompareAndSetLoopTest {

    /** A key whose reads and conditional writes are scripted, and which records the writes it was asked for. */
    static final class ScriptedKey implements CompareAndSetLoop.VersionedKey<Integer> {
        private final Versioned<Integer> local;
        private final Versioned<Integer> upToDate;
        private final Deque<WriteAttempt<Integer>> answers = new ArrayDeque<>();
        private final List<String> writes = new ArrayList<>();
        private WriteAttempt<Integer> otherwise = WriteAttempt.applied();
        private int upToDateReads;

        ScriptedKey(Versioned<Integer> local, Versioned<Integer> upToDate) {
            this.local = local;
            this.upToDate = upToDate;
        }

        ScriptedKey answering(WriteAttempt<Integer> answer) {
            answers.add(answer);
            return this;
        }

        ScriptedKey alwaysConflicting(Versioned<Integer> current) {
            otherwise = WriteAttempt.conflict(current);
            return this;
        }

        @Override
        public Versioned<Integer> readLocal() {
            return local;
        }

        @Override
        public Versioned<Integer> readUpToDate() {
            upToDateReads++;
            return upToDate;
        }

        @Override
        public WriteAttempt<Integer> writeIfVersion(Integer newValue, long expectedVersion) {
            writes.add((newValue == null ? "delete" : "put " + newValue) + " if version " + expectedVersion);
            return answers.isEmpty() ? otherwise : answers.poll();
        }
    }

    private static final Function<Versioned<Integer>, Step<Integer, Integer>> INCREMENT = current -> {
        int next = current == null ? 1 : current.value() + 1;
        return Step.write(next, next);
    };

    private final List<Integer> backOffs = new ArrayList<>();
    private final CompareAndSetLoop loop = new CompareAndSetLoop("counters", 3, backOffs::add);

    private static Versioned<Integer> at(int value, long version) {
        return new Versioned<>(value, version, 0);
    }

    @Test
    void aDecisionIsWrittenConditionallyOnTheVersionItWasMadeOn() {
        ScriptedKey hits = new ScriptedKey(at(4, 12), at(4, 12));

        assertThat(loop.update("hits", hits, INCREMENT)).isEqualTo(5);
        assertThat(hits.writes).containsExactly("put 5 if version 12");
    }

    @Test
    void anAbsentKeyIsWrittenConditionallyOnVersionZero() {
        ScriptedKey hits = new ScriptedKey(null, null);

        loop.update("hits", hits, INCREMENT);

        assertThat(hits.writes).containsExactly("put 1 if version 0");
    }

    @Test
    void aConflictRetriesOnTheValueTheConflictReports() {
        ScriptedKey hits = new ScriptedKey(at(4, 12), at(4, 12)).answering(WriteAttempt.conflict(at(9, 15)));

        assertThat(loop.update("hits", hits, INCREMENT)).isEqualTo(10);
        assertThat(hits.writes).containsExactly("put 5 if version 12", "put 10 if version 15");
        assertThat(hits.upToDateReads).isZero();
    }

    @Test
    void eachLostAttemptBacksOffBeforeTheNext() {
        ScriptedKey hits = new ScriptedKey(at(4, 12), at(4, 12))
                .answering(WriteAttempt.conflict(at(5, 13)))
                .answering(WriteAttempt.conflict(at(6, 14)));

        loop.update("hits", hits, INCREMENT);

        assertThat(backOffs).containsExactly(1, 2);
    }

    @Test
    void contentionOnEveryAttemptGivesUpAfterTheLimitWithUpdateContention() {
        ScriptedKey hits = new ScriptedKey(at(4, 12), at(4, 12)).alwaysConflicting(at(7, 20));

        assertThatThrownBy(() -> loop.update("hits", hits, INCREMENT))
                .isInstanceOfSatisfying(
                        UpdateContentionException.class,
                        contention -> assertThat(contention.attempts()).isEqualTo(3))
                .hasMessage("replicated map 'counters': key 'hits' changed concurrently on each of 3 compare-and-set"
                        + " attempts; nothing was written by this call. Retry later, spread the writes over more keys,"
                        + " or raise the attempt limit");
        assertThat(hits.writes).hasSize(3);
    }

    @Test
    void aDecisionToWriteNullRemovesTheKeyAtItsVersion() {
        ScriptedKey hits = new ScriptedKey(at(4, 12), at(4, 12));

        Integer result = loop.update("hits", hits, current -> Step.<Integer, Integer>write(null, null));

        assertThat(result).isNull();
        assertThat(hits.writes).containsExactly("delete if version 12");
    }

    @Test
    void aDecisionToChangeNothingIsMadeAgainOnAnUpToDateReadBeforeItIsAnswered() {
        ScriptedKey stale = new ScriptedKey(null, at(4, 12));

        Integer result = loop.update(
                "hits", stale, current -> Step.<Integer, Integer>keep(current == null ? null : current.value()));

        assertThat(result).isEqualTo(4);
        assertThat(stale.upToDateReads).isEqualTo(1);
        assertThat(stale.writes).isEmpty();
    }

    @Test
    void removingAKeyThatIsAbsentEvenWhenUpToDateWritesNothing() {
        ScriptedKey absent = new ScriptedKey(null, null);

        loop.update("hits", absent, current -> Step.<Integer, Integer>write(null, null));

        assertThat(absent.upToDateReads).isEqualTo(1);
        assertThat(absent.writes).isEmpty();
    }

    @Test
    void aDecisionMadeAgainAfterCatchingUpIsStillWritten() {
        ScriptedKey stale = new ScriptedKey(null, at(4, 12));
        Function<Versioned<Integer>, Step<Integer, Integer>> incrementPresent =
                current -> current == null ? Step.keep(null) : Step.write(current.value() + 1, current.value() + 1);

        assertThat(new CompareAndSetLoop("counters", 1, backOffs::add).update("hits", stale, incrementPresent))
                .isEqualTo(5);
        assertThat(stale.writes).containsExactly("put 5 if version 12");
    }
}
