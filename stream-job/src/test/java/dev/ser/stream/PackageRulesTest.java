package dev.ser.stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stream job's packages by role, checked on the compiled classes (so a fully qualified name
 * in the code counts as much as an import): the pure packages know nothing of Flink or Kafka, the
 * Flink wiring nothing of Kafka, the Kafka wiring nothing of ours for Flink, and only
 * {@link EmotionJob} puts the Flink wiring together with the rest.
 */
class PackageRulesTest {

  static final String[] PURE = {"dev.ser.stream.chunk..", "dev.ser.stream.assembly..", "dev.ser.stream.scoring..",
      "dev.ser.stream.call..", "dev.ser.stream.model.."};
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.ser.stream");
  }

  @Test
  void purePackagesImportNothingFromFlinkOrKafka() {
    ArchRule rule = noClasses().that().resideInAnyPackage(PURE).should().dependOnClassesThat().resideInAnyPackage(
        "org.apache.flink..", "org.apache.kafka..", "dev.ser.stream.flink..", "dev.ser.stream.kafka..",
        "dev.ser.stream.internal..").because("pure logic is tested in milliseconds without Flink or Kafka");
    rule.check(classes);
  }

  @Test
  void flinkWiringKnowsNothingOfKafka() {
    noClasses().that().resideInAPackage("dev.ser.stream.flink..").should().dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "dev.ser.stream.kafka..").check(classes);
  }

  @Test
  void kafkaWiringKnowsNothingOfTheFlinkWiring() {
    noClasses().that().resideInAPackage("dev.ser.stream.kafka..").should().dependOnClassesThat()
        .resideInAnyPackage("dev.ser.stream.flink..", "dev.ser.stream.internal..").check(classes);
  }

  @Test
  void onlyTheJobPutsTheFlinkWiringTogether() {
    noClasses().that().resideOutsideOfPackages("dev.ser.stream.flink..", "dev.ser.stream.internal..")
        .and().doNotHaveFullyQualifiedName(EmotionJob.class.getName())
        .should().dependOnClassesThat().resideInAPackage("dev.ser.stream.flink..").check(classes);
  }

  @Test
  void theOldNamesKeptForSavepointsAreUsedOnlyByTheSerializersThatReadThem() {
    noClasses().that().resideOutsideOfPackages("dev.ser.stream.flink..", "dev.ser.stream.internal..")
        .should().dependOnClassesThat().resideInAPackage("dev.ser.stream.internal..").check(classes);
  }
}
