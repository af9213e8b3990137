package dev.ser.core.scoring.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.scoring.EmotionScorer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InferenceDeviceTest {

  @Test
  void parsesTheDeviceNames() {
    assertThat(InferenceDevice.parse("cpu")).isEqualTo(InferenceDevice.CPU);
    assertThat(InferenceDevice.parse(" CUDA ")).isEqualTo(new InferenceDevice(InferenceDevice.Kind.CUDA, 0));
    assertThat(InferenceDevice.parse("cuda:3")).isEqualTo(new InferenceDevice(InferenceDevice.Kind.CUDA, 3));
    assertThat(InferenceDevice.parse("cuda:3").toString()).isEqualTo("cuda:3");
    for (String bad : new String[] {"gpu", "cuda:", "cuda:x", "cuda:-1", ""}) {
      assertThatThrownBy(() -> InferenceDevice.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use cpu, cuda or cuda:N");
    }
  }

  /** The CPU build (the default) has no CUDA provider: asking for it falls back and still scores. */
  @Test
  void cudaFallsBackToTheCpuWhenItCannotLoad() throws Exception {
    Path model = Path.of(System.getProperty("ser.samples.dir")).resolveSibling("models/ms-senet-emodb.onnx");
    try (EmotionScorer cpu = EmotionScorer.open(model);
        EmotionScorer cuda = EmotionScorer.open(model, InferenceDevice.parse("cuda:0"), 1)) {
      assertThat(cuda.device()).isEqualTo(InferenceDevice.CPU);
      float[] signal = new float[22050];
      for (int i = 0; i < signal.length; i++) {
        signal[i] = (float) (0.2 * Math.sin(i * 0.05));
      }
      assertThat(cuda.predict(signal).scores()).containsExactly(cpu.predict(signal).scores());
    }
  }
}
