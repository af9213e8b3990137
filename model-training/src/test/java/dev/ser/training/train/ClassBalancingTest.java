package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@code --balance-classes}: each clip's loss weighted so that every class weighs the same in an epoch,
 * as every class weighs the same in UAR, while the loss keeps its scale.
 */
class ClassBalancingTest {

  @Test
  void weightsAreTheInverseClassShareAndAverageOneOverTheClips() {
    // 6 clips: three of class 0, two of class 1, one of class 3; class 2 absent
    int[] y = {0, 1, 0, 3, 1, 0};
    float[] w = MsSenetTrainer.classWeights(y, 4);
    // n / (k * n_c) with k = 3 classes present
    assertThat(w).containsExactly(6f / 9, 1f, 0f, 2f);
    double mean = 0;
    for (int label : y) {
      mean += w[label];
    }
    assertThat(mean / y.length).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void eachTargetRowIsScaledByItsClassWeight() {
    int[] y = {0, 1, 2};
    int[] rows = {2, 0};
    float[] plain = MsSenetTrainer.smoothedOneHot(y, rows, 3, 0.3f);
    assertThat(plain).containsExactly(0.1f, 0.1f, 0.8f, 0.8f, 0.1f, 0.1f);
    float[] weighted = MsSenetTrainer.smoothedOneHot(y, rows, 3, 0.3f, new float[] {0.5f, 1f, 2f});
    assertThat(weighted).containsExactly(0.2f, 0.2f, 1.6f, 0.4f, 0.05f, 0.05f);
    // weight 1 everywhere is bit for bit the unweighted rows, so runs without the option train as before
    assertThat(MsSenetTrainer.smoothedOneHot(y, rows, 3, 0.1f, new float[] {1f, 1f, 1f}))
        .containsExactly(MsSenetTrainer.smoothedOneHot(y, rows, 3, 0.1f));
  }

  @Test
  void withoutBalancingTheOptionsReadAsBefore() throws Exception {
    // records of runs from before it carry no balancing field; a run without it must compare equal to them
    TrainingOptions off = GradientClippingTest.options(3, 5f);
    TrainingOptions on = new TrainingOptions(off.epochs(), off.batchSize(), off.learningRate(), off.beta1(),
        off.beta2(), off.epsilon(), off.labelSmoothing(), off.seed(), off.initialization(), off.schedule(),
        off.warmupEpochs(), off.minLearningRate(), off.averageFrom(), off.augmentation(), off.evalEvery(),
        off.clipGradientNorm(), true);
    var json = new ObjectMapper();
    assertThat(json.writeValueAsString(off)).doesNotContain("balance").endsWith("\"clipGradientNorm\":5.0}");
    assertThat(json.writeValueAsString(on)).endsWith("\"clipGradientNorm\":5.0,\"balanceClasses\":true}");
    assertThat(CrossValidation.withSeed(on, 7).balanceClasses()).isTrue();
  }
}
