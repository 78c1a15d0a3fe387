package dev.replication.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replication.api.ReplicatedMap;
import java.lang.reflect.Type;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class ReplicatedMapRegistryTest {

    record Order(String id) {}

    record Item(String name) {}

    private final InProcessCluster cluster = new InProcessCluster(1);
    private final ReplicatedMapRegistry registry = new ReplicatedMapRegistry(
            JsonMapper.builder().build(), cluster.gateway(0), cluster.replica(0), ReplicatedMapSettings.DEFAULTS);

    @Test
    void everyDeclarationOfANameGetsTheSameMap() {
        ReplicatedMap<String, Order> first = registry.map("orders", String.class, Order.class, "field A.orders");
        ReplicatedMap<String, Order> second = registry.map("orders", String.class, Order.class, "parameter B(orders)");

        assertThat(second).isSameAs(first);
        assertThat(registry.names()).containsExactly("orders");
    }

    @Test
    void genericTypesAreComparedByStructure() {
        Type listOfOrders = new TypeReference<List<Order>>() {}.getType();
        Type sameAgain = new TypeReference<List<Order>>() {}.getType();

        ReplicatedMap<String, List<Order>> first = registry.map("baskets", String.class, listOfOrders, "A");

        assertThat(registry.<String, List<Order>>map("baskets", String.class, sameAgain, "B"))
                .isSameAs(first);
    }

    @Test
    void aNameDeclaredWithOtherTypesIsRefusedNamingBothDeclarations() {
        registry.map("orders", String.class, Order.class, "field OrderService.orders");

        assertThatThrownBy(() -> registry.map("orders", String.class, Item.class, "field ShopService.orders"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replicated map 'orders' is declared as ReplicatedMap<java.lang.String, "
                        + Order.class.getName() + "> at field OrderService.orders")
                .hasMessageContaining("> at field ShopService.orders")
                .hasMessageContaining("use the same types, or give one of them another name");
    }
}
