package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.model.MsSenet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --speaker-adversarial-weight}: a speaker head learns the speakers from the pooled features, the
 * network below learns to leave it uncertain, at a strength that rises over training; recorded only when on.
 */
class SpeakerAdversarialTest {

  static TrainingOptions options(int epochs, float weight, float mixup) {
    TrainingOptions r = TrainingOptions.reference(epochs);
    Augmentation a = mixup == 0 ? Augmentation.NONE : new Augmentation(0, 0, 0, 0, 0, 0f, mixup, 1f);
    return new TrainingOptions(epochs, 4, r.learningRate(), r.beta1(), r.beta2(), r.epsilon(), r.labelSmoothing(), 1,
        r.initialization(), r.schedule(), 0, r.minLearningRate(), 1f, a, 0, 0f, false, weight);
  }

  @Test
  void theStrengthRisesFromZeroTowardsOne() {
    TrainingOptions o = options(10, 0.5f, 0);
    assertThat(o.adversaryStrength(1)).isEqualTo(0f);
    assertThat(o.adversaryStrength(6)).isCloseTo((float) (2 / (1 + Math.exp(-5)) - 1), within(1e-7f)); // 0.98661
    assertThat(o.adversaryStrength(2)).isCloseTo((float) (2 / (1 + Math.exp(-1)) - 1), within(1e-7f)); // 0.46212
  }

  @Test
  void theWeightIsRecordedOnlyWhenOnAndRefusedWithMixup() throws Exception {
    var json = new ObjectMapper();
    assertThat(json.writeValueAsString(options(3, 0f, 0))).doesNotContain("speakerAdversarial");
    assertThat(json.writeValueAsString(options(3, 0.3f, 0))).endsWith("\"speakerAdversarialWeight\":0.3}");
    assertThat(CrossValidation.withSeed(options(3, 0.3f, 0), 7).speakerAdversarialWeight()).isEqualTo(0.3f);
    assertThatThrownBy(() -> options(3, 0.3f, 0.4f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("turn mixup off");
    assertThatThrownBy(() -> options(3, -1f, 0)).hasMessageContaining("must be >= 0");
  }

  @Test
  void trainingRefusesSpeakersWithoutAHeadAndAHeadWithoutSpeakers() {
    RandomClips data = RandomClips.of(3, 8, 16, 39, 4);
    ModelConfig withHead = new ModelConfig(16, 39, 4, 8, 2, 0.2f, 0.1f, false, 2);
    try (Model model = MsSenetTrainer.newModel(withHead)) {
      assertThatThrownBy(() -> MsSenetTrainer.train(model, withHead, options(1, 0.5f, 0), data.x(), null, data.y(),
          null, null, null, null, null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs the clips' speakers and a model with a speaker head");
    }
    ModelConfig plain = new ModelConfig(16, 39, 4, 8, 2, 0.2f, 0.1f, false, 0);
    try (Model model = MsSenetTrainer.newModel(plain)) {
      assertThatThrownBy(() -> MsSenetTrainer.train(model, plain, options(1, 0.5f, 0), data.x(), null, data.y(),
          new int[8], null, null, null, null)).hasMessageContaining("head 0");
    }
  }

  /**
   * Where each part of the speaker loss sends its gradient, one batch without dropout: the head's
   * cross-entropy trains the head and nothing below it; the confusion loss trains the network below
   * (here: the dynamic fusion weights) and not the head; and at strength 0 the confusion loss is off.
   */
  @Test
  void theHeadLearnsTheSpeakersAndTheNetworkBelowLearnsToConfuseIt() {
    ModelConfig config = new ModelConfig(16, 39, 4, 8, 2, 0.2f, 0.1f, false, 2);
    RandomClips data = RandomClips.of(5, 6, 16, 39, 4);
    int[] speakers = {0, 1, 0, 1, 1, 0};
    try (Model model = MsSenetTrainer.newModel(config); NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(6, 16, 39));
      model.getBlock().getParameters().values().stream().filter(p -> p.requiresGradient())
          .forEach(p -> p.getArray().setRequiresGradient(true)); // weights, not batch-norm statistics
      float[] flat = new float[6 * 16 * 39];
      for (int i = 0; i < 6; i++) {
        System.arraycopy(data.x()[i], 0, flat, i * 16 * 39, 16 * 39);
      }
      NDArray input = manager.create(flat, new Shape(6, 16, 39));
      List<String> names = model.getBlock().getParameters().keys();
      int fusion = indexEndingWith(names, "dynamic_fusion");
      int head = indexEndingWith(names, "speaker_adversary_weight");
      float[][] headOnly = gradients(model, manager, input, speakers, 0f);
      float[][] both = gradients(model, manager, input, speakers, 1f);
      assertThat(headOnly[fusion]).containsOnly(0f);
      assertThat(maxAbs(headOnly[head])).isGreaterThan(1e-4);
      assertThat(maxAbs(both[fusion])).isGreaterThan(1e-6);
      assertThat(both[head]).containsExactly(headOnly[head]);
    }
  }

  private static double maxAbs(float[] values) {
    double m = 0;
    for (float v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static int indexEndingWith(List<String> names, String suffix) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).endsWith(suffix)) {
        return i;
      }
    }
    return -1;
  }

  /** The gradients of the speaker loss alone (no emotion loss) at confusion strength {@code strength}. */
  private static float[][] gradients(Model model, NDManager manager, NDArray input, int[] speakers, float strength) {
    MsSenetTrainer.clearGradients(model);
    try (NDManager batch = manager.newSubManager(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDList out = model.getBlock().forward(new ParameterStore(batch, false), new NDList(input), true,
          MsSenet.withoutDropout());
      collector.backward(MsSenetTrainer.adversarialLoss(out.get(1), out.get(2), speakers, new int[] {0, 1, 2, 3, 4, 5},
          2, strength, batch));
    }
    var parameters = model.getBlock().getParameters().values();
    float[][] g = new float[parameters.size()][];
    for (int i = 0; i < g.length; i++) {
      NDArray array = parameters.get(i).getArray();
      g[i] = array.hasGradient() ? array.getGradient().toFloatArray() : new float[0];
    }
    return g;
  }

  @Test
  void theLossIsTheHeadsCrossEntropyPlusTheConfusionAgainstUniform() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // two clips, two speakers; logits (0, ln 3): p = (1/4, 3/4)
      NDArray logits = manager.create(new float[] {0f, (float) Math.log(3), 0f, (float) Math.log(3)}, new Shape(2, 2));
      int[] speakers = {1, 0};
      int[] rows = {0, 1};
      double head = -(Math.log(0.75) + Math.log(0.25)) / 2;
      double confusion = -(Math.log(0.25) + Math.log(0.75)) / 2; // per clip: the mean of -log p over the speakers
      assertThat(MsSenetTrainer.adversarialLoss(logits, logits, speakers, rows, 2, 0f, manager).getFloat())
          .isCloseTo((float) head, within(1e-6f));
      assertThat(MsSenetTrainer.adversarialLoss(logits, logits, speakers, rows, 2, 0.5f, manager).getFloat())
          .isCloseTo((float) (head + 0.5 * confusion), within(1e-6f));
    }
  }

  @Test
  void aShortRunTrainsTheHeadAndKeepsTheEmotionLossInTheCurve() {
    ModelConfig config = new ModelConfig(16, 39, 4, 8, 2, 0.2f, 0.1f, false, 2);
    RandomClips data = RandomClips.of(7, 12, 16, 39, 4);
    int[] speakers = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    try (Model model = MsSenetTrainer.newModel(config)) {
      List<EpochStats> curve = MsSenetTrainer.train(model, config, options(3, 0.5f, 0), data.x(), null, data.y(),
          speakers, null, null, null, null);
      assertThat(curve).hasSize(3);
      assertThat(curve).allSatisfy(s -> assertThat(s.loss()).isFinite().isBetween(0.5, 3.0));
      assertThat(curve).allSatisfy(s -> assertThat(s.skippedSteps()).isZero());
      var parameters = model.getBlock().getParameters();
      float[] head = parameters.get(indexEndingWith(parameters.keys(), "speaker_adversary_weight")).getValue().getArray()
          .toFloatArray();
      assertThat(head).hasSize(2 * 8).doesNotContain(Float.NaN);
    }
  }
}
