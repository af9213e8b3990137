package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import dev.ser.training.model.ModelConfig;
import org.junit.jupiter.api.Test;

/**
 * Training holds no more tensors after three epochs than after one: what a batch computes is freed
 * with the batch. A product whose receiver is a parameter belongs to the parameter's (the model's)
 * manager, so it lives as long as the model: the matrix-product convolutions kept every branch map
 * that way, about 120 MB a second on the full-size network, until the kernel killed the process.
 */
class TrainingMemoryTest {

  @Test
  void moreEpochsLeaveNoMoreTensorsInTheModelsManager() {
    assertThat(tensorsAfter(3)).isEqualTo(tensorsAfter(1));
  }

  private static int tensorsAfter(int epochs) {
    ModelConfig config = ModelConfig.reference(16, 39, 4);
    RandomClips clips = RandomClips.of(11, 8, 16, 39, 4);
    float[][] x = clips.x();
    int[] y = clips.y();
    TrainingOptions reference = TrainingOptions.reference(epochs);
    // evaluation every epoch, so the inference path is counted too
    TrainingOptions options = new TrainingOptions(epochs, 4, reference.learningRate(), reference.beta1(),
        reference.beta2(), reference.epsilon(), reference.labelSmoothing(), 1, reference.initialization(),
        reference.schedule(), 0, reference.minLearningRate(), 1f, Augmentation.NONE, 1);
    try (Model model = MsSenetTrainer.newModel(config)) {
      MsSenetTrainer.train(model, config, options, x, y, x, y, null);
      return model.getNDManager().getManagedArrays().size();
    }
  }
}
