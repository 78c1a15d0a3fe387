package dev.replication.sample;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The sample is what a user writes: it may use the starter only through {@code dev.replication.api}. */
class SampleUsesOnlyThePublicApiTest {

    @Test
    void theSampleImportsNothingOfTheStarterButItsApi() {
        noClasses()
                .that()
                .resideInAPackage("dev.replication.sample..")
                .should()
                .dependOnClassesThat(resideInAPackage("dev.replication..")
                        .and(not(resideInAnyPackage("dev.replication.api..", "dev.replication.sample.."))))
                .because("users import only dev.replication.api; everything else may change without notice")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.replication.sample"));
    }
}
