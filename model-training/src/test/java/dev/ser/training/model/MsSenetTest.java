package dev.ser.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

class MsSenetTest {

  @Test
  void referenceShapeAndParameterCount() {
    ModelConfig config = ModelConfig.reference(188, 39, 7);
    assertThat(config.blocks()).isEqualTo(8);
    try (NDManager manager = NDManager.newBaseManager()) {
      MsSenet net = new MsSenet(config);
      net.initialize(manager, DataType.FLOAT32, new Shape(2, 188, 39));
      long values = 0;
      for (Pair<String, Parameter> p : net.getParameters()) {
        values += p.getValue().getArray().size();
      }
      // per direction: fusion 4642 + running BN stats 234, entry 156*39+39, 8 blocks x (2 x 3081 conv
      // + 2 x 156 BN incl. running stats); plus 8 fusion weights and the 39x7+7 classifier
      long perDirection = 4642 + 234 + (156 * 39 + 39) + 8L * (2 * 3081 + 2 * 156);
      assertThat(values).isEqualTo(2 * perDirection + 8 + 39 * 7 + 7);

      NDArray x = manager.randomNormal(new Shape(2, 188, 39));
      NDArray logits = net.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
      assertThat(logits.getShape()).isEqualTo(new Shape(2, 7));
    }
  }

  @Test
  void inferenceIsDeterministicAndTrainingIsNot() {
    Engine.getInstance().setRandomSeed(1);
    try (NDManager manager = NDManager.newBaseManager()) {
      MsSenet net = new MsSenet(ModelConfig.reference(32, 39, 4));
      net.initialize(manager, DataType.FLOAT32, new Shape(3, 32, 39));
      NDArray x = manager.randomNormal(new Shape(3, 32, 39));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray a = net.forward(ps, new NDList(x), false).singletonOrThrow();
      NDArray b = net.forward(ps, new NDList(x), false).singletonOrThrow();
      assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
      NDArray c = net.forward(ps, new NDList(x), true).singletonOrThrow();
      NDArray d = net.forward(ps, new NDList(x), true).singletonOrThrow();
      assertThat(c.toFloatArray()).isNotEqualTo(d.toFloatArray()); // dropout masks differ
    }
  }

  @Test
  void causalBlocksSeeNoFuture() {
    // a temporal-aware block's output at time t must not change when inputs after t change
    try (NDManager manager = NDManager.newBaseManager()) {
      TemporalAwareBlock block = new TemporalAwareBlock(ModelConfig.reference(16, 39, 4), 4);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 39, 16));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(new Shape(1, 39, 16));
      NDArray changed = x.duplicate();
      changed.set(new ai.djl.ndarray.index.NDIndex(":, :, 10:"), 5f);
      NDArray y1 = block.forward(ps, new NDList(x), false).singletonOrThrow();
      NDArray y2 = block.forward(ps, new NDList(changed), false).singletonOrThrow();
      NDArray past1 = y1.get(":, :, :10");
      NDArray past2 = y2.get(":, :, :10");
      assertThat(past1.toFloatArray()).containsExactly(past2.toFloatArray());
      assertThat(y1.get(":, :, 10:").toFloatArray()).isNotEqualTo(y2.get(":, :, 10:").toFloatArray());
    }
  }
}
