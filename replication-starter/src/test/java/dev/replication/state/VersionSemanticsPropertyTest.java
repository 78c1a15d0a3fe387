package dev.replication.state;

import static dev.replication.state.LogScript.MAP;
import static dev.replication.state.LogScript.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The state machine against a model: a plain map of (value, version) where a write's version is
 * its log index and a conditional write applies only when the expected version is the current
 * one (0: absent).
 */
class VersionSemanticsPropertyTest {

    /** One scripted write: which key, what kind, and how the expected version is chosen. */
    record Write(int key, int kind, int expectation, int staleVersion) {}

    private record Modelled(String value, long version) {}

    @Property(tries = 300)
    void everyAnswerAndTheFinalStateMatchTheModel(@ForAll("scripts") List<Write> script) {
        LogScript log = new LogScript();
        Map<String, Modelled> model = new HashMap<>();
        long index = 0;
        for (Write write : script) {
            index++;
            String key = "k" + write.key();
            String value = "v" + index;
            Modelled current = model.get(key);
            long currentVersion = current == null ? 0 : current.version();
            long expected = switch (write.expectation()) {
                case 0 -> currentVersion;
                case 1 -> 0;
                default -> write.staleVersion();
            };
            StateResult result;
            boolean applies;
            switch (write.kind()) {
                case 0 -> {
                    result = log.put(key, value);
                    applies = true;
                    model.put(key, new Modelled(value, index));
                }
                case 1 -> {
                    result = log.putIfVersion(key, value, expected);
                    applies = expected == currentVersion;
                    if (applies) {
                        model.put(key, new Modelled(value, index));
                    }
                }
                case 2 -> {
                    result = log.delete(key);
                    applies = true;
                    model.remove(key);
                }
                default -> {
                    long expectedPresent = Math.max(1, expected);
                    result = log.deleteIfVersion(key, expectedPresent);
                    applies = expectedPresent == currentVersion;
                    if (applies) {
                        model.remove(key);
                    }
                }
            }
            assertThat(result.status())
                    .isEqualTo(applies ? StateResult.Status.APPLIED : StateResult.Status.VERSION_CONFLICT);
            assertThat(result.version()).isEqualTo(applies ? index : 0);
            assertThat(result.before() == null ? 0 : result.before().version()).isEqualTo(currentVersion);
        }
        for (int key = 0; key < 4; key++) {
            Modelled expected = model.get("k" + key);
            StoredValue actual = log.stateMachine.get(MAP, bytes("k" + key));
            if (expected == null) {
                assertThat(actual).isNull();
            } else {
                assertThat(new String(actual.value())).isEqualTo(expected.value());
                assertThat(actual.version()).isEqualTo(expected.version());
            }
        }
        assertThat(log.stateMachine.size(MAP)).isEqualTo(model.size());
    }

    @Provide
    Arbitrary<List<Write>> scripts() {
        Arbitrary<Write> writes = Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(1, 60))
                .as(Write::new);
        return writes.list().ofMinSize(1).ofMaxSize(60);
    }
}
