package dev.ser.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parity gate between DJL and ONNX Runtime: what it keeps and what it refuses. */
class ModelExportTest {

  @TempDir
  Path dir;

  @Test
  void aDifferenceWithinTheToleranceKeepsTheFile() throws Exception {
    Path onnx = Files.writeString(dir.resolve("m.onnx"), "graph");
    ModelExport.requireParity(1e-6, onnx);
    assertThat(onnx).exists();
  }

  @Test
  void aDifferenceAboveTheToleranceIsRefusedAndTheFileDeleted() throws Exception {
    Path onnx = Files.writeString(dir.resolve("m.onnx"), "graph");
    assertThatThrownBy(() -> ModelExport.requireParity(2e-5, onnx)).isInstanceOf(IllegalStateException.class)
        .hasMessage("ONNX export differs from DJL by 2.0E-5 (allowed 1.0E-5); the file was not kept");
    assertThat(onnx).doesNotExist();
  }

  /** NaN compares false with everything: a DJL forward that produced NaN once passed as "within tolerance". */
  @Test
  void aNanDifferenceIsRefusedNotPassed() throws Exception {
    Path onnx = Files.writeString(dir.resolve("m.onnx"), "graph");
    assertThatThrownBy(() -> ModelExport.requireParity(Double.NaN, onnx)).isInstanceOf(IllegalStateException.class)
        .hasMessage("ONNX export differs from DJL by NaN (allowed 1.0E-5); the file was not kept");
    assertThat(onnx).doesNotExist();
  }
}
