package dev.replication;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The one-way package graph of docs/ARCHITECTURE.md: {@code spring -> map/runtime ->
 * transport/state/log -> core}, with {@code codec} beside {@code core} at the bottom and
 * {@code api} the public surface that depends on nothing; {@code state.jdbc} (the checkpoint store) sits
 * on {@code state}.
 */
class LayeringTest {

    private static final JavaClasses STARTER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.replication");

    @Test
    void packagesDependOnlyDownwards() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("api")
                .definedBy("dev.replication.api..")
                .layer("core")
                .definedBy("dev.replication.core..")
                .layer("codec")
                .definedBy("dev.replication.codec..")
                .layer("log")
                .definedBy("dev.replication.log..")
                .layer("state")
                .definedBy("dev.replication.state")
                .layer("state.jdbc")
                .definedBy("dev.replication.state.jdbc..")
                .layer("transport")
                .definedBy("dev.replication.transport")
                .layer("transport.servlet")
                .definedBy("dev.replication.transport.servlet..")
                .layer("runtime")
                .definedBy("dev.replication.runtime..")
                .layer("map")
                .definedBy("dev.replication.map..")
                .layer("spring")
                .definedBy("dev.replication.spring..")
                .whereLayer("api")
                .mayNotAccessAnyLayer()
                .whereLayer("core")
                .mayNotAccessAnyLayer()
                .whereLayer("codec")
                .mayNotAccessAnyLayer()
                .whereLayer("log")
                .mayOnlyAccessLayers("core", "codec")
                .whereLayer("state")
                .mayOnlyAccessLayers("core", "codec")
                .whereLayer("state.jdbc")
                .mayOnlyAccessLayers("state", "core", "codec")
                .whereLayer("transport")
                .mayOnlyAccessLayers("core", "codec")
                .whereLayer("transport.servlet")
                .mayOnlyAccessLayers("transport", "core", "codec")
                .whereLayer("runtime")
                .mayOnlyAccessLayers("api", "core", "codec", "log", "state", "state.jdbc", "transport")
                .whereLayer("map")
                .mayOnlyAccessLayers("api", "core", "codec", "state", "runtime")
                .check(STARTER);
    }

    @Test
    void springAndTheServletStackAppearOnlyInTheSpringAndServletPackages() {
        noClasses()
                .that()
                .resideOutsideOfPackages(
                        "dev.replication.spring..",
                        "dev.replication.transport.servlet..",
                        "dev.replication.state.jdbc..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..",
                        "jakarta.servlet..",
                        "org.apache.catalina..",
                        "org.apache.coyote..",
                        "org.apache.tomcat..")
                .because("only the spring and transport.servlet packages adapt the library to Spring")
                .check(STARTER);
    }

    @Test
    void theCheckpointStoreUsesOnlySpringsDataAccessModulesAndH2() {
        noClasses()
                .that()
                .resideInAPackage("dev.replication.state.jdbc..")
                .should()
                .dependOnClassesThat(resideInAnyPackage("org.springframework..", "jakarta..", "org.apache..")
                        .and(not(resideInAnyPackage(
                                "org.springframework.data..",
                                "org.springframework.jdbc..",
                                "org.springframework.transaction..",
                                // spring-tx's exception hierarchy, thrown by the JDBC templates
                                "org.springframework.dao.."))))
                .because("the checkpoint store is private to the starter: Spring Data JDBC and H2, no context or web")
                .check(STARTER);
    }

    @Test
    void onlyTheCheckpointStoreUsesJdbcSpringDataOrH2() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.replication.state.jdbc..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.h2..",
                        "org.springframework.data..",
                        "org.springframework.jdbc..",
                        "org.springframework.transaction..",
                        "java.sql..",
                        "javax.sql..")
                .because("the starter registers no DataSource, JdbcTemplate, transaction manager or repository and"
                        + " never touches the application's: its one database is the checkpoint store's")
                .check(STARTER);
    }

    @Test
    void theCoreUsesOnlyTheJavaLanguageAndCollections() {
        noClasses()
                .that()
                .resideInAPackage("dev.replication.core..")
                .should()
                .dependOnClassesThat(not(resideInAnyPackage(
                        "dev.replication.core..",
                        "java.lang..",
                        "java.util",
                        "java.util.function..",
                        "java.util.random..",
                        "java.util.stream..",
                        "java.io",
                        "org.jspecify..")))
                .because("core is a pure state machine: no I/O, threads, clocks or libraries of its own")
                .check(STARTER);
    }

    @Test
    void theCoreReadsNoClockAndStartsNoThread() {
        noClasses()
                .that()
                .resideInAPackage("dev.replication.core..")
                .should()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("java.util.concurrent..")
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(Thread.class)
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(java.util.Random.class)
                .because("the simulator drives core deterministically: time and randomness come from its caller")
                .check(STARTER);
    }
}
