package dev.ser.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelChecksumTest {

  static final Path SHIPPED = Path.of(System.getProperty("ser.samples.dir")).resolveSibling("models/ms-senet-emodb.onnx");

  @Test
  void theShippedModelMatchesItsSidecar() throws Exception {
    String expected = ModelChecksum.expected(SHIPPED, null);
    assertThat(expected).hasSize(64);
    ModelChecksum.verify(SHIPPED, expected);
  }

  @Test
  void aTamperedModelIsRefusedWithBothDigests(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m.onnx");
    Files.copy(SHIPPED, model);
    ModelChecksum.writeSidecar(model);
    String expected = ModelChecksum.expected(model, "");
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length / 2] ^= 1; // one flipped bit
    Files.write(model, bytes);
    assertThatThrownBy(() -> ModelChecksum.verify(model, expected))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has SHA-256 " + ModelChecksum.sha256(model) + " but " + expected + " was expected")
        .hasMessageContaining("is not loaded");
  }

  @Test
  void aMissingOrMalformedChecksumIsExplained(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m.onnx");
    Files.copy(SHIPPED, model);
    assertThatThrownBy(() -> ModelChecksum.expected(model, null))
        .hasMessageContaining("no SHA-256 for the model").hasMessageContaining("sha256sum m.onnx > m.onnx.sha256");
    assertThatThrownBy(() -> ModelChecksum.expected(model, "abc"))
        .hasMessageContaining("the configured model SHA-256 is not a SHA-256 (64 hex digits): \"abc\"");
    String configured = ModelChecksum.sha256(model).toUpperCase();
    assertThat(ModelChecksum.expected(model, configured)).isEqualTo(configured.toLowerCase());
  }
}
