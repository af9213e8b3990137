package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import dev.ser.training.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** Soft targets: how a teacher's probabilities enter the target rows, and that training follows them. */
class DistillationTest {

  @Test
  void theTargetRowMixesTheSmoothedLabelAndTheTeacherByTheWeight() {
    int[] y = {2, 0};
    int[] rows = {1, 0}; // the batch holds clip 1, then clip 0
    float[] targets = MsSenetTrainer.smoothedOneHot(y, rows, 3, 0.3f); // clip 1: (0.8, 0.1, 0.1)
    SoftTargets soft = new SoftTargets(new float[][] {{0.2f, 0.2f, 0.6f}, {0f, 1f, 0f}}, 0.25f);
    soft.mixInto(targets, rows, null, null);
    // clip 1: 0.75 * (0.8, 0.1, 0.1) + 0.25 * (0, 1, 0); clip 0: 0.75 * (0.1, 0.1, 0.8) + 0.25 * (0.2, 0.2, 0.6)
    float[] expected = {0.6f, 0.325f, 0.075f, 0.125f, 0.125f, 0.75f};
    for (int i = 0; i < expected.length; i++) {
      assertThat(targets[i]).as("target " + i).isCloseTo(expected[i], within(1e-6f));
    }
  }

  @Test
  void aClassWeightScalesTheTeachersPartAsItScalesTheLabels() {
    int[] y = {1};
    int[] rows = {0};
    float[] weights = {1f, 2f};
    float[] targets = MsSenetTrainer.smoothedOneHot(y, rows, 2, 0f, weights); // (0, 2)
    new SoftTargets(new float[][] {{0.5f, 0.5f}}, 0.5f).mixInto(targets, rows, y, weights);
    assertThat(targets[0]).isCloseTo(0.5f, within(1e-6f)); // 0.5 * 0 + 0.5 * 2 * 0.5
    assertThat(targets[1]).isCloseTo(1.5f, within(1e-6f)); // 0.5 * 2 + 0.5 * 2 * 0.5
  }

  @Test
  void weightsAndRowsThatAreNotProbabilitiesAreRefused() {
    assertThatThrownBy(() -> new SoftTargets(new float[][] {{1f}}, 0f))
        .hasMessage("the distillation weight must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> new SoftTargets(new float[][] {{1f}}, 1.5f))
        .hasMessage("the distillation weight must be in (0, 1], got 1.5");
    assertThatThrownBy(() -> new SoftTargets(new float[][] {{0.5f, 0.6f}}, 0.5f))
        .hasMessageStartingWith("the teacher's probabilities of clip 0 sum to 1.1");
    assertThatThrownBy(() -> new SoftTargets(new float[][] {{Float.NaN, 1f}}, 0.5f))
        .hasMessage("teacher probability NaN of clip 0 is not a probability");
  }

  @Test
  void withTheWholeWeightTheModelLearnsTheTeacherNotTheLabels() {
    // labels 0, 1, 2, 3 in turn; a teacher that says class 3 for every clip, with weight 1
    ModelConfig config = ModelConfig.reference(16, 39, 4);
    RandomClips clips = RandomClips.of(11, 16, 16, 39, 4);
    float[][] teacher = new float[16][];
    for (int i = 0; i < teacher.length; i++) {
      teacher[i] = new float[] {0f, 0f, 0f, 1f};
    }
    TrainingOptions reference = TrainingOptions.reference(8);
    TrainingOptions options = new TrainingOptions(8, 8, 0.01f, reference.beta1(), reference.beta2(),
        reference.epsilon(), 0f, 3, reference.initialization(), reference.schedule(), 0, 0.01f, 1f,
        Augmentation.NONE, 0);
    try (Model model = MsSenetTrainer.newModel(config)) {
      MsSenetTrainer.train(model, config, options, clips.x(), null, clips.y(), new SoftTargets(teacher, 1f), null,
          null, null);
      assertThat(MsSenetTrainer.predict(model, config, clips.x())).containsOnly(3);
    }
  }
}
