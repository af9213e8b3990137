package dev.ser.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** The speaker-adversarial head: two more outputs in training only, absent by default. */
class SpeakerHeadTest {

  @Test
  void aModelWithASpeakerHeadGivesItsLogitsInTrainingOnly() {
    ModelConfig config = new ModelConfig(16, 39, 4, 8, 2, 0.2f, 0.1f, false, 3);
    try (Model model = Model.newInstance("head"); NDManager manager = NDManager.newBaseManager()) {
      model.setBlock(new MsSenet(config));
      model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(5, 16, 39));
      NDArray input = manager.randomNormal(new Shape(5, 16, 39));
      ParameterStore ps = new ParameterStore(manager, false);
      NDList training = model.getBlock().forward(ps, new NDList(input), true, MsSenet.withoutDropout());
      assertThat(training).hasSize(3);
      assertThat(training.get(0).getShape()).isEqualTo(new Shape(5, 4));
      assertThat(training.get(1).getShape()).isEqualTo(new Shape(5, 3));
      // the head's logits and the frozen head's are the same numbers; they differ in where gradients go
      assertThat(training.get(2).toFloatArray()).containsExactly(training.get(1).toFloatArray(),
          org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(model.getBlock().forward(ps, new NDList(input), false)).hasSize(1);
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
      assertThat(model.getBlock().forward(new ParameterStore(manager, false), new NDList(input), true,
          MsSenet.withoutDropout())).hasSize(1);
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    // records of runs from before the head carry no "speakers": a run without it must compare equal to them
    assertThat(json.writeValueAsString(plain)).doesNotContain("speakers");
    assertThat(json.writeValueAsString(new ModelConfig(188, 39, 7, 39, 8, 0.2f, 0.1f, false, 10)))
        .endsWith("\"normalizeInput\":false,\"speakers\":10}");
    assertThat(json.readValue(json.writeValueAsString(plain), ModelConfig.class)).isEqualTo(plain);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ModelConfig(188, 39, 7, 39, 8, 0.2f, 0.1f, false, 1))
        .hasMessageContaining("at least 2 speakers");
  }
}
