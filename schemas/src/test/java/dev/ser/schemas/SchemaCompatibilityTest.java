package dev.ser.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaCompatibilityTest {

  static Stream<Arguments> everyReleasedVersion() {
    return WireFormat.RECORD_NAMES.stream()
        .flatMap(name -> {
          List<Schema> history = WireFormat.history(name);
          return java.util.stream.IntStream.range(0, history.size())
              .mapToObj(i -> Arguments.of(name, "v" + (i + 1), history.get(i)));
        });
  }

  static Schema current(String name) {
    return switch (name) {
      case "AudioChunk" -> AudioChunk.getClassSchema();
      case "EmotionEvent" -> EmotionEvent.getClassSchema();
      case "DeadLetter" -> DeadLetter.getClassSchema();
      case "CallAlert" -> CallAlert.getClassSchema();
      case "CallSummary" -> CallSummary.getClassSchema();
      case "ModelUpdate" -> ModelUpdate.getClassSchema();
      case "ModelStatus" -> ModelStatus.getClassSchema();
      default -> throw new IllegalArgumentException("no generated class for " + name);
    };
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyReleasedVersion")
  void currentReadsEveryReleasedVersion(String name, String version, Schema released) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(current(name), released);
    assertThat(result.getType())
        .as("current %s reading data written with %s: %s", name, version, result.getDescription())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyReleasedVersion")
  void everyReleasedVersionReadsCurrent(String name, String version, Schema released) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(released, current(name));
    assertThat(result.getType())
        .as("%s %s reading data written with the current schema: %s", name, version, result.getDescription())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @ParameterizedTest
  @MethodSource("recordNames")
  void latestReleasedVersionIsTheCurrentSchema(String name) {
    List<Schema> history = WireFormat.history(name);
    Schema latest = history.get(history.size() - 1);
    // A change to src/main/avro must be released as schemas/history/NAME/v(N+1).avsc,
    // otherwise readers could meet a fingerprint they cannot resolve.
    assertThat(SchemaNormalization.parsingFingerprint64(latest))
        .as("fingerprint of %s v%d vs the compiled schema; add a new history version", name, history.size())
        .isEqualTo(SchemaNormalization.parsingFingerprint64(current(name)));
  }

  static Stream<String> recordNames() {
    return WireFormat.RECORD_NAMES.stream();
  }

  @Test
  void aRequiredNewFieldIsReportedIncompatible() throws IOException {
    Schema changed = load("/incompatible/AudioChunk-required-field-added.avsc");
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(changed, WireFormat.history("AudioChunk").get(0));
    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    assertThat(result.getDescription()).contains("tenantId");
  }

  @Test
  void aNewDeadLetterKindIsReadableByTodaysReaders() throws IOException {
    Schema future = load("/incompatible/DeadLetter-with-new-kind.avsc");
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current("DeadLetter"), future).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  static Schema load(String resource) throws IOException {
    try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(resource)) {
      return new Schema.Parser().parse(in);
    }
  }
}
