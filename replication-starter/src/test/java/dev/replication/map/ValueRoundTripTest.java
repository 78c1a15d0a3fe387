package dev.replication.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.api.ReplicatedMap;
import dev.replication.api.ValueSerializationException;
import dev.replication.state.StateCommand;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A value is stored only if it reads back as what was written: a type the application's Jackson
 * mapper cannot round-trip fails the write, naming the type and what went wrong, instead of
 * storing data that is lost or cannot be read again.
 */
class ValueRoundTripTest {

    /** Fields but no getters: Jackson sees no properties. */
    static final class NoGetters {
        private final String name;

        NoGetters(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A getter, but the declared type cannot be created from JSON. */
    abstract static class Shape {
        public abstract String getName();
    }

    static final class Circle extends Shape {
        @Override
        public String getName() {
            return "circle";
        }
    }

    /** A property with a getter but nothing to read it into: dropped on read by a lenient mapper. */
    static final class ReadOnlyProperty {
        private String label = "unset";

        public ReadOnlyProperty() {}

        ReadOnlyProperty(String label) {
            this.label = label;
        }

        public String getName() {
            return label;
        }
    }

    record Item(String name, int count) {}

    private static final ReplicatedMapSettings SETTINGS =
            new ReplicatedMapSettings(Duration.ofMillis(200), Duration.ofMillis(200), 32);
    /** Lenient like Spring Boot's mapper: unknown properties are ignored on read. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final InProcessCluster cluster = new InProcessCluster(2);

    private <V> ReplicatedMap<String, V> map(Type valueType) {
        return new DefaultReplicatedMap<>(
                "inventory", String.class, valueType, MAPPER, cluster.gateway(0), cluster.replica(0), SETTINGS);
    }

    @Test
    void aValueWithoutGettersIsRefusedInsteadOfStoredAsAnEmptyObject() {
        ReplicatedMap<String, NoGetters> values = map(NoGetters.class);

        assertThatThrownBy(() -> values.put("x", new NoGetters("apple")))
                .isInstanceOf(ValueSerializationException.class)
                .hasMessageContaining(NoGetters.class.getName())
                .hasMessageContaining("nothing was written");
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void aValueWithAGetterButNoCreatorIsRefusedBeforeItIsStored() {
        ReplicatedMap<String, Shape> values = map(Shape.class);

        assertThatThrownBy(() -> values.put("x", new Circle()))
                .isInstanceOf(ValueSerializationException.class)
                .hasMessageContaining(
                        "a value of " + Circle.class.getName() + " does not read back as " + Shape.class.getName())
                .hasMessageContaining("Cannot construct instance")
                .hasMessageContaining("nothing was written");
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void aValueThatLosesAPropertyWhenReadBackIsRefused() {
        ReplicatedMap<String, ReadOnlyProperty> values = map(ReadOnlyProperty.class);

        assertThatThrownBy(() -> values.put("x", new ReadOnlyProperty("apple")))
                .isInstanceOf(ValueSerializationException.class)
                .hasMessageContaining("reads back as {\"name\":\"unset\"}")
                .hasMessageContaining("was written as {\"name\":\"apple\"}");
        assertThat(cluster.logSize()).isZero();
    }

    @Test
    void aSetIsStoredWhateverOrderItReadsBackIn() {
        ReplicatedMap<String, Set<String>> values = map(new TypeReference<Set<String>>() {}.getType());
        Set<String> tags = new LinkedHashSet<>(List.of("pear", "apple", "fig"));

        values.put("tags", tags);

        assertThat(values.get("tags")).isEqualTo(tags);
    }

    @Test
    void aRecordRoundTripsAndIsStored() {
        ReplicatedMap<String, Item> values = map(Item.class);

        values.put("apple", new Item("apple", 3));

        assertThat(values.get("apple")).isEqualTo(new Item("apple", 3));
    }

    @Test
    void aStoredValueThatCannotBeReadNamesTheTypeAndBothPossibleCauses() {
        ReplicatedMap<String, Item> values = map(Item.class);
        cluster.appendFromElsewhere(new StateCommand.Put(
                        "inventory", "apple".getBytes(StandardCharsets.UTF_8), "[1,2]".getBytes(StandardCharsets.UTF_8))
                .encode());

        assertThatThrownBy(() -> values.get("apple"))
                .isInstanceOf(ValueSerializationException.class)
                .hasMessageContaining("cannot be read as " + Item.class.getName())
                .hasMessageContaining("written with another type for this map")
                .hasMessageContaining("cannot be read back by the application's Jackson mapper");
    }
}
