package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import dev.ser.training.model.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch whose loss is not finite makes no update: one such batch must not turn every weight into NaN. */
class NonFiniteStepTest {

  @Test
  void aBatchWithANonFiniteLossIsSkippedAndTheWeightsStayFinite() {
    ModelConfig config = ModelConfig.reference(16, 39, 4);
    RandomClips clips = RandomClips.of(7, 8, 16, 39, 4);
    float[][] x = clips.x();
    int[] y = clips.y();
    x[5][17] = Float.NaN; // one bad value: its batch's loss is NaN
    TrainingOptions reference = TrainingOptions.reference(3);
    TrainingOptions options = new TrainingOptions(3, 4, reference.learningRate(), reference.beta1(), reference.beta2(),
        reference.epsilon(), reference.labelSmoothing(), 1, reference.initialization(), reference.schedule(), 0,
        reference.minLearningRate(), 1f, Augmentation.NONE, 0);
    try (Model model = MsSenetTrainer.newModel(config)) {
      List<EpochStats> curve = MsSenetTrainer.train(model, config, options, x, y, null, null, null);
      // two batches of 4 per epoch; the one holding clip 5 is skipped in every epoch
      assertThat(curve).extracting(EpochStats::skippedSteps).containsExactly(1, 1, 1);
      // its forward pass leaves NaN in the batch-norm running statistics, which training never reads: no rollback
      assertThat(curve).extracting(EpochStats::rolledBack).containsExactly(0, 0, 0);
      assertThat(curve).allSatisfy(e -> assertThat(e.loss()).isFinite());
      for (var p : model.getBlock().getParameters()) {
        if (!p.getValue().getName().contains("running")) {
          for (float v : p.getValue().getArray().toFloatArray()) {
            assertThat(v).as(p.getKey()).isFinite();
          }
        }
      }
    }
  }
}
