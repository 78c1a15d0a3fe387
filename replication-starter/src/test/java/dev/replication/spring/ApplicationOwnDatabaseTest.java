package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.runtime.ReplicationNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.repository.config.AbstractJdbcConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * An application with its own database and Spring Data JDBC repositories beside the starter: the
 * starter's checkpoint store (H2 too) registers no DataSource, template, transaction manager or
 * repository, never writes into the application's database, and both work side by side.
 */
class ApplicationOwnDatabaseTest {

    @TempDir
    Path dataDir;

    @Table("SHOP_ORDER")
    record ShopOrder(@Id Long id, String item) {}

    interface ShopOrders extends CrudRepository<ShopOrder, Long> {}

    static class Catalog {
        @Replicated("catalog")
        ReplicatedMap<String, String> items;
    }

    @Configuration
    static class ShopJdbc extends AbstractJdbcConfiguration {}

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableJdbcRepositories(considerNestedRepositories = true, basePackageClasses = ApplicationOwnDatabaseTest.class)
    @Import(ShopJdbc.class)
    static class ShopApplication {
        @Bean
        DataSource shopDataSource() {
            JdbcDataSource dataSource = new JdbcDataSource();
            dataSource.setURL("jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1");
            new JdbcTemplate(dataSource)
                    .execute(
                            "create table if not exists shop_order (id bigint auto_increment primary key, item varchar(100))");
            return dataSource;
        }

        @Bean
        NamedParameterJdbcOperations namedParameterJdbcOperations(DataSource dataSource) {
            return new NamedParameterJdbcTemplate(dataSource);
        }

        @Bean
        PlatformTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        Catalog catalog() {
            return new Catalog();
        }
    }

    @Test
    void theApplicationsDatabaseAndRepositoriesWorkBesideTheStartersCheckpointStoreWhichTouchesNeither()
            throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopApplication.class)
                .web(WebApplicationType.NONE)
                .properties(Map.of(
                        "replication.data-dir", dataDir.toString(),
                        "replication.checkpoint.every-entries", "10",
                        "spring.main.banner-mode", "off"))
                .run()) {
            ReplicatedMap<String, String> items = context.getBean(Catalog.class).items;
            ShopOrders orders = context.getBean(ShopOrders.class);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> context.getBean(ReplicationNode.class).isLeader());

            for (int i = 0; i < 30; i++) {
                items.put("item-" + i, "price " + i);
            }
            orders.save(new ShopOrder(null, "item-1"));
            orders.save(new ShopOrder(null, "item-2"));

            ReplicationNode node = context.getBean(ReplicationNode.class);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            node.status().get(10, TimeUnit.SECONDS).snapshots().checkpointIndex() >= 20);
            assertThat(orders.count()).isEqualTo(2);
            assertThat(context.getBeansOfType(DataSource.class)).containsOnlyKeys("shopDataSource");
            assertThat(context.getBeansOfType(PlatformTransactionManager.class)).containsOnlyKeys("transactionManager");
            assertThat(context.getBeansOfType(NamedParameterJdbcOperations.class))
                    .containsOnlyKeys("namedParameterJdbcOperations");
            assertThat(context.getBeansOfType(CrudRepository.class)).hasSize(1);
            JdbcTemplate shopDatabase = new JdbcTemplate(context.getBean(DataSource.class));
            assertThat(shopDatabase.queryForObject(
                            "select count(*) from information_schema.tables where table_schema = 'PUBLIC'",
                            Integer.class))
                    .as("only the application's own table is in its database")
                    .isEqualTo(1);
            try (var files = Files.list(dataDir.resolve("checkpoint"))) {
                assertThat(files.map(file -> file.getFileName().toString())).anyMatch(name -> name.endsWith(".mv.db"));
            }
        }
    }
}
