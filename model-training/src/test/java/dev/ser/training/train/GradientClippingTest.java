package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.training.model.ModelConfig;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Global gradient-norm clipping: the norm is the L2 norm over every parameter's gradient, a batch
 * above the limit is scaled down to it, each epoch records its largest norm and how many batches
 * were clipped, and an epoch in which no batch could be trained on stops training with its number.
 */
class GradientClippingTest {

  private static final ModelConfig CONFIG = ModelConfig.reference(16, 39, 4);

  static float[][] clips(int n, long seed) {
    Random random = new Random(seed);
    float[][] x = new float[n][16 * 39];
    for (float[] row : x) {
      for (int k = 0; k < row.length; k++) {
        row[k] = (float) random.nextGaussian();
      }
    }
    return x;
  }

  /** One forward and backward pass of 4 clips (labels 0-3) of a trainer on {@link #CONFIG}'s shape; no update. */
  static void backward(Trainer trainer, GradientCollector collector, float[][] x) {
    float[] flat = new float[4 * 16 * 39];
    for (int i = 0; i < 4; i++) {
      System.arraycopy(x[i], 0, flat, i * 16 * 39, 16 * 39);
    }
    NDArray input = trainer.getManager().create(flat, new Shape(4, 16, 39));
    NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
    NDArray labels = trainer.getManager().create(new float[] {0, 1, 2, 3});
    collector.backward(trainer.getLoss().evaluate(new NDList(labels), new NDList(logits)));
  }

  static TrainingOptions options(int epochs, float clip) {
    TrainingOptions r = TrainingOptions.reference(epochs);
    return new TrainingOptions(epochs, 4, r.learningRate(), r.beta1(), r.beta2(), r.epsilon(), r.labelSmoothing(), 1,
        r.initialization(), r.schedule(), 0, r.minLearningRate(), 1f, Augmentation.NONE, 0, clip);
  }

  @Test
  void theNormCoversEveryGradientAndClippingScalesThemDownToTheLimit() {
    try (Model model = MsSenetTrainer.newModel(CONFIG);
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
      trainer.initialize(new Shape(4, 16, 39));
      try (GradientCollector collector = trainer.newGradientCollector()) {
        backward(trainer, collector, clips(4, 3));

        double expected = 0;
        for (var p : model.getBlock().getParameters()) {
          NDArray a = p.getValue().getArray();
          if (a.hasGradient()) {
            for (float g : a.getGradient().toFloatArray()) {
              expected += (double) g * g;
            }
          }
        }
        expected = Math.sqrt(expected);
        assertThat(expected).isGreaterThan(0);
        assertThat(MsSenetTrainer.gradientNorm(model)).isCloseTo(expected, within(expected * 1e-5));

        // below the limit: untouched
        assertThat(MsSenetTrainer.clipGradients(model, (float) (expected * 2))).isCloseTo(expected, within(expected * 1e-5));
        assertThat(MsSenetTrainer.gradientNorm(model)).isCloseTo(expected, within(expected * 1e-5));
        // above it: scaled down to it
        float limit = (float) (expected / 4);
        assertThat(MsSenetTrainer.clipGradients(model, limit)).isCloseTo(expected, within(expected * 1e-5));
        assertThat(MsSenetTrainer.gradientNorm(model)).isCloseTo(limit, within(limit * 1e-4));
      }
    }
  }

  @Test
  void eachEpochRecordsItsLargestNormAndHowManyBatchesWereClipped() {
    float[][] x = clips(8, 5);
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    try (Model model = MsSenetTrainer.newModel(CONFIG)) {
      // a limit no gradient is below: both batches of every epoch clipped
      List<EpochStats> curve = MsSenetTrainer.train(model, CONFIG, options(2, 1e-6f), x, y, null, null, null);
      assertThat(curve).extracting(EpochStats::clippedSteps).containsExactly(2, 2);
      assertThat(curve).allSatisfy(e -> assertThat(e.maxGradientNorm()).isFinite().isGreaterThan(1e-6));
    }
    try (Model model = MsSenetTrainer.newModel(CONFIG)) {
      List<EpochStats> curve = MsSenetTrainer.train(model, CONFIG, options(2, 0f), x, y, null, null, null);
      assertThat(curve).extracting(EpochStats::clippedSteps).containsExactly(0, 0);
      assertThat(curve).allSatisfy(e -> assertThat(e.maxGradientNorm()).isFinite().isGreaterThan(0));
    }
  }

  @Test
  void anEpochWithoutOneUsableBatchStopsTrainingNamingIt() {
    float[][] x = clips(8, 5);
    for (float[] row : x) {
      row[0] = Float.NaN; // every batch's loss is NaN: the weights would never change again
    }
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    try (Model model = MsSenetTrainer.newModel(CONFIG)) {
      assertThatThrownBy(() -> MsSenetTrainer.train(model, CONFIG, options(3, 0f), x, y, null, null, null))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("training diverged in epoch 1 of 3: none of its 2 batches had a finite loss and"
              + " finite gradients");
    }
  }

  @Test
  void withoutClippingTheOptionsReadAsBefore() throws Exception {
    // records of runs from before it carry no clipping field; a run without it must compare equal to them
    var json = new ObjectMapper();
    assertThat(json.writeValueAsString(options(3, 0f))).doesNotContain("clip").endsWith("\"evalEvery\":0}");
    assertThat(json.writeValueAsString(options(3, 5f))).endsWith("\"evalEvery\":0,\"clipGradientNorm\":5.0}");
    assertThatThrownBy(() -> options(3, -1f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the gradient clipping norm must be >= 0 (0 = off), got -1.0");
  }
}
