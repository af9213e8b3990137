package dev.ser.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** The speaker-adversarial head: a gradient reversal, a second output only when asked for, absent by default. */
class SpeakerHeadTest {

  @Test
  void theReversalIsTheIdentityForwardAndMinusLambdaTimesTheGradientBackward() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(new float[] {1.5f, -2f, 0.25f, 3f}, new Shape(2, 2));
      NDArray c = manager.create(new float[] {1f, 2f, -3f, 0.5f}, new Shape(2, 2));
      x.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y = MsSenet.reverseGradient(x, 0.75f);
        assertThat(y.toFloatArray()).containsExactly(1.5f, -2f, 0.25f, 3f);
        collector.backward(y.mul(c).sum());
      }
      // d(sum(c * y))/dx would be c; reversed and scaled: -0.75 c
      assertThat(x.getGradient().toFloatArray()).containsExactly(-0.75f, -1.5f, 2.25f, -0.375f);
    }
  }

  @Test
  void aModelWithASpeakerHeadGivesSpeakerLogitsOnlyWhenAskedInTraining() {
    ModelConfig config = new ModelConfig(16, 39, 4, 8, 2, 0.2f, 0.1f, false, 3);
    try (Model model = Model.newInstance("head"); NDManager manager = NDManager.newBaseManager()) {
      model.setBlock(new MsSenet(config));
      model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(5, 16, 39));
      NDArray input = manager.randomNormal(new Shape(5, 16, 39));
      ParameterStore ps = new ParameterStore(manager, false);
      NDList both = model.getBlock().forward(ps, new NDList(input, manager.create(0.5f)), true, MsSenet.withoutDropout());
      assertThat(both).hasSize(2);
      assertThat(both.get(0).getShape()).isEqualTo(new Shape(5, 4));
      assertThat(both.get(1).getShape()).isEqualTo(new Shape(5, 3));
      assertThat(model.getBlock().forward(ps, new NDList(input), false)).hasSize(1);
      assertThatThrownBy(() -> model.getBlock().forward(ps, new NDList(input, manager.create(0.5f)), false))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs training");
      assertThat(model.getBlock().getChildren().keys()).anyMatch(k -> k.endsWith("speaker_adversary"));
    }
  }

  @Test
  void withoutSpeakersThereIsNoHeadAndTheConfigReadsAsBefore() throws Exception {
    ModelConfig plain = ModelConfig.reference(188, 39, 7);
    try (Model model = Model.newInstance("plain"); NDManager manager = NDManager.newBaseManager()) {
      model.setBlock(new MsSenet(plain));
      model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(2, 188, 39));
      assertThat(model.getBlock().getChildren().keys()).noneMatch(k -> k.endsWith("speaker_adversary"));
      NDArray input = manager.randomNormal(new Shape(2, 188, 39));
      assertThatThrownBy(() -> model.getBlock().forward(new ParameterStore(manager, false),
          new NDList(input, manager.create(0.5f)), true)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("speaker head");
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    // records of runs from before the head carry no "speakers": a run without it must compare equal to them
    assertThat(json.writeValueAsString(plain)).doesNotContain("speakers");
    assertThat(json.writeValueAsString(new ModelConfig(188, 39, 7, 39, 8, 0.2f, 0.1f, false, 10)))
        .endsWith("\"normalizeInput\":false,\"speakers\":10}");
    assertThat(json.readValue(json.writeValueAsString(plain), ModelConfig.class)).isEqualTo(plain);
    assertThatThrownBy(() -> new ModelConfig(188, 39, 7, 39, 8, 0.2f, 0.1f, false, 1))
        .hasMessageContaining("at least 2 speakers");
  }
}
