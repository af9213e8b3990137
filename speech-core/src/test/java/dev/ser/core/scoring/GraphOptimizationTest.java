package dev.ser.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.ser.core.scoring.provider.InferenceDevice;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scorer's ONNX Runtime graph optimisation: ONNX Runtime's default unless a level is asked for
 * (`ser bench inference --graph-optimization`), and every level scores the shipped models the same.
 */
class GraphOptimizationTest {

  private static final Path MODELS = Path.of(System.getProperty("ser.samples.dir")).resolveSibling("models");

  @Test
  void theDefaultIsOnnxRuntimesAndAnAskedLevelIsKept() {
    assertThat(EmotionScorer.graphOptimization(null)).isEqualTo(OptLevel.ALL_OPT);
    assertThat(EmotionScorer.graphOptimization(OptLevel.EXTENDED_OPT)).isEqualTo(OptLevel.EXTENDED_OPT);
    assertThat(EmotionScorer.graphOptimization(OptLevel.BASIC_OPT)).isEqualTo(OptLevel.BASIC_OPT);
  }

  @Test
  void bothLevelsGiveTheSameProbabilitiesOnBothShippedModels() throws Exception {
    for (String name : new String[] {"ms-senet-emodb.onnx", "ms-senet-emodb-8k.onnx"}) {
      Path model = MODELS.resolve(name);
      try (EmotionScorer extended = EmotionScorer.open(model, InferenceDevice.CPU, 1, OptLevel.EXTENDED_OPT);
          EmotionScorer all = EmotionScorer.open(model, InferenceDevice.CPU, 1, null)) {
        Random random = new Random(11);
        float[] signal = new float[extended.metadata().features().sampleRate() * 2];
        for (int i = 0; i < signal.length; i++) {
          signal[i] = (float) (0.3 * Math.sin(i * 0.07) + 0.05 * random.nextGaussian());
        }
        float[] a = extended.predict(signal).scores();
        float[] b = all.predict(signal).scores();
        assertThat(a).hasSize(7);
        for (int k = 0; k < a.length; k++) {
          // the two graphs sum the same products in different orders
          assertThat(a[k]).as(name + " class " + k).isCloseTo(b[k], within(1e-5f));
        }
      }
    }
  }
}
