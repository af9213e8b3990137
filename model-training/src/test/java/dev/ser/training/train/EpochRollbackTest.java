package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.training.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An epoch that breaks the model is undone and drawn again: the weights, batch-norm statistics
 * and Adam state go back to the end of the epoch before, exactly, and the curve says so.
 */
class EpochRollbackTest {

  private static final ModelConfig CONFIG = ModelConfig.reference(16, 39, 4);

  /** Sets the first value of the classifier's weight to NaN, as an overflow in an update would. */
  private static void breakClassifier(Model model) {
    NDArray w = ((dev.ser.training.model.MsSenet) model.getBlock()).classifier().getParameters().get("weight")
        .getArray();
    float[] v = w.toFloatArray();
    v[0] = Float.NaN;
    w.set(v);
  }

  @Test
  void aBrokenEpochIsRolledBackAndDrawnAgainNamingWhatBroke() {
    float[][] x = GradientClippingTest.clips(8, 5);
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    try (Model model = MsSenetTrainer.newModel(CONFIG)) {
      List<EpochStats> curve = MsSenetTrainer.train(model, CONFIG, GradientClippingTest.options(3, 0f), x, null, y, null, null, null,
          (epoch, rolledBack, m) -> {
            if (epoch == 2 && rolledBack == 0) {
              breakClassifier(m);
            }
          });
      assertThat(curve).extracting(EpochStats::epoch).containsExactly(1, 2, 3);
      assertThat(curve).extracting(EpochStats::rolledBack).containsExactly(0, 1, 0);
      assertThat(curve.get(1).rollbackReason()).matches("\\S*classifier\\S*weight: 1 of 156 values \\(first NaN\\)");
      assertThat(curve.get(0).rollbackReason()).isNull();
      for (var p : model.getBlock().getParameters()) {
        for (float v : p.getValue().getArray().toFloatArray()) {
          assertThat(v).as(p.getKey()).isFinite();
        }
      }
    }
  }

  @Test
  void aNonFiniteGradientLeftBehindCostsNoBatch() {
    // DJL clears a gradient by subtracting it from itself, which leaves NaN where it was NaN or
    // infinite: every later batch then had a non-finite gradient, and the fold was lost
    float[][] x = GradientClippingTest.clips(8, 5);
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    try (Model model = MsSenetTrainer.newModel(CONFIG)) {
      List<EpochStats> curve = MsSenetTrainer.train(model, CONFIG, GradientClippingTest.options(3, 0f), x, null, y,
          null, null, null, (epoch, rolledBack, m) -> {
            if (epoch == 1) {
              NDArray w = ((dev.ser.training.model.MsSenet) m.getBlock()).classifier().getParameters().get("weight")
                  .getArray();
              float[] g = new float[(int) w.size()];
              g[3] = Float.POSITIVE_INFINITY;
              try (NDArray gradient = w.getGradient()) {
                dev.ser.training.model.EngineMemory.assign(gradient, g);
              }
            }
          });
      // every batch starts from cleared gradients: the infinite one left by epoch 1 costs nothing
      assertThat(curve).extracting(EpochStats::skippedSteps).containsExactly(0, 0, 0);
      assertThat(curve).extracting(EpochStats::rolledBack).containsExactly(0, 0, 0);
    }
  }

  @Test
  void anEpochThatBreaksEveryTimeStopsTrainingAfterThreeRollbacks() {
    float[][] x = GradientClippingTest.clips(8, 5);
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    try (Model model = MsSenetTrainer.newModel(CONFIG)) {
      assertThatThrownBy(() -> MsSenetTrainer.train(model, CONFIG, GradientClippingTest.options(3, 0f), x, null, y, null, null, null,
          (epoch, rolledBack, m) -> {
            if (epoch == 2) {
              breakClassifier(m);
            }
          }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("training diverged in epoch 2 of 3: ")
          .hasMessageContaining("weight: 1 of 156 values (first NaN)")
          .hasMessageContaining("after 3 rollback(s) to the end of the epoch before");
    }
  }

  @Test
  void restoringPutsBackEveryWeightStatisticAndAdamMomentExactly() {
    Optimizer adam = Optimizer.adam().build();
    try (Model model = MsSenetTrainer.newModel(CONFIG);
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(adam))) {
      trainer.initialize(new Shape(4, 16, 39));
      float[][] x = GradientClippingTest.clips(4, 3);
      step(trainer, x);
      EpochSnapshot before = EpochSnapshot.take(model.getBlock(), adam);
      assertThat(before.numUpdate()).isEqualTo(1);
      step(trainer, x);
      step(trainer, x);
      EpochSnapshot after = EpochSnapshot.take(model.getBlock(), adam);
      assertThat(after.numUpdate()).isEqualTo(3);
      assertThat(after.values()).hasSameSizeAs(before.values());
      assertThat(differing(before, after)).as("two steps change the weights and moments").isGreaterThan(10);

      before.restore(model.getBlock(), adam);
      EpochSnapshot restored = EpochSnapshot.take(model.getBlock(), adam);
      assertThat(differing(before, restored)).isZero();
      assertThat(restored.numUpdate()).isEqualTo(1);
      assertThat(restored.nonFinite()).isNull();
    }
  }

  @Test
  void aRolledBackEpochIsKeptInTheFoldRecord(@TempDir Path dir) throws Exception {
    List<EpochStats> curve = List.of(new EpochStats(1, 1.5, 0.25, Double.NaN, 2.0, 0, 1.25, 0),
        new EpochStats(2, 1.25, 0.5, 0.5, 2.0, 8, 1.5, 0, 1, "classifier_weight: 1 of 156 values (first NaN)"));
    var json = new ObjectMapper();
    String written = json.writeValueAsString(FoldRecord.curveJson(curve));
    assertThat(written).isEqualTo("[{\"epoch\":1,\"loss\":1.5,\"train_accuracy\":0.25,\"seconds\":2.0,"
        + "\"held_out_accuracy\":null,\"max_gradient_norm\":1.25},"
        + "{\"epoch\":2,\"loss\":1.25,\"train_accuracy\":0.5,\"seconds\":2.0,\"held_out_accuracy\":0.5,"
        + "\"skipped_steps\":8,\"max_gradient_norm\":1.5,\"rolled_back\":1,"
        + "\"rollback_reason\":\"classifier_weight: 1 of 156 values (first NaN)\"}]");
    var record = new FoldRecord(1, json.createObjectNode(), List.of("a.wav"), new int[] {0},
        new float[][] {{1, 0, 0, 0}}, curve, 4.0);
    record.write(dir);
    FoldRecord read = FoldRecord.read(Files.list(dir).filter(p -> p.toString().endsWith(".json")).findFirst()
        .orElseThrow());
    assertThat(read.curve()).isEqualTo(curve);
  }

  private static int differing(EpochSnapshot a, EpochSnapshot b) {
    int n = 0;
    for (int i = 0; i < a.values().size(); i++) {
      float[] u = a.values().get(i);
      float[] v = b.values().get(i);
      for (int k = 0; k < u.length; k++) {
        n += Float.floatToIntBits(u[k]) == Float.floatToIntBits(v[k]) ? 0 : 1;
      }
    }
    return n;
  }

  private static void step(Trainer trainer, float[][] x) {
    try (GradientCollector collector = trainer.newGradientCollector()) {
      GradientClippingTest.backward(trainer, collector, x);
    }
    trainer.step();
  }
}
