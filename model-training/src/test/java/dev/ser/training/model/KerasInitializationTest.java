package dev.ser.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.ser.training.train.MsSenetTrainer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KerasInitializationTest {

  @Test
  void kernelsAreGlorotUniformBiasesZeroFusionWeightsKeepTheirRange() {
    Engine.getInstance().setRandomSeed(7);
    try (NDManager manager = NDManager.newBaseManager()) {
      MsSenet net = new MsSenet(ModelConfig.reference(188, 39, 7));
      net.initialize(manager, DataType.FLOAT32, new Shape(2, 188, 39));
      net.initializeLikeKeras(manager);
      // the 3x3 time-frequency kernel: fan in 1*9, fan out 39*9, limit sqrt(6/360)
      float[] w = net.fusion[0].convs[2].getParameters().get("weight").getArray().toFloatArray();
      double limit = Math.sqrt(6.0 / (9 + 39 * 9));
      double sumSq = 0;
      for (float v : w) {
        assertThat(Math.abs(v)).isLessThanOrEqualTo((float) limit);
        sumSq += v * v;
      }
      // uniform(-l, l) has standard deviation l / sqrt(3): 0.0745 here (He-normal gave about 0.47)
      assertThat(Math.sqrt(sumSq / w.length)).isCloseTo(limit / Math.sqrt(3), within(0.01));
      // the temporal convolution (39, 39, 2): fans 78 and 78
      float[] t = net.blocks.get(0)[3].conv1.getParameters().get("weight").getArray().toFloatArray();
      double tl = Math.sqrt(6.0 / (78 + 78));
      for (float v : t) {
        assertThat(Math.abs(v)).isLessThanOrEqualTo((float) tl);
      }
      assertThat(net.fusion[1].convs[0].getParameters().get("bias").getArray().toFloatArray()).containsOnly(0f);
      assertThat(net.classifier.getParameters().get("bias").getArray().toFloatArray()).containsOnly(0f);
      assertThat(net.fusion[0].norms[1].getParameters().get("gamma").getArray().toFloatArray()).containsOnly(1f);
      for (float v : net.fusionWeights.getArray().toFloatArray()) {
        assertThat(Math.abs(v)).isLessThanOrEqualTo(0.05f);
      }
    }
  }

  @Test
  void recomputedStatisticsAreTheDataStatisticsOfTheFirstBatchNorm() {
    Engine.getInstance().setRandomSeed(3);
    ModelConfig config = ModelConfig.reference(16, 39, 4);
    try (Model model = MsSenetTrainer.newModel(config)) {
      model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(2, 16, 39));
      MsSenet net = (MsSenet) model.getBlock();
      Random random = new Random(5);
      float[][] x = new float[40][16 * 39];
      for (float[] row : x) {
        for (int i = 0; i < row.length; i++) {
          row[i] = (float) (random.nextGaussian() * 10 + (i % 39 == 0 ? -200 : 0));
        }
      }
      MsSenetTrainer.recomputeBatchNormStatistics(model, config, x, 16); // batches of 16, 16 and 8
      // the first batch norm sees the first convolution's output: its per-channel mean over all data
      try (NDManager m = model.getNDManager().newSubManager()) {
        float[] flat = new float[40 * 16 * 39];
        for (int i = 0; i < 40; i++) {
          System.arraycopy(x[i], 0, flat, i * 16 * 39, 16 * 39);
        }
        NDArray input = m.create(flat, new Shape(40, 1, 16, 39));
        NDArray conv = net.fusion[0].convs[0].forward(new ParameterStore(m, false), new NDList(input), false)
            .singletonOrThrow(); // (40, C, 16, 39)
        float[] expected = conv.mean(new int[] {3}).mean(new int[] {2}).mean(new int[] {0}).toFloatArray();
        float[] running = net.fusion[0].norms[0].getParameters().get("runningMean").getArray().toFloatArray();
        // three batches weighted 0.99^2, 0.99, 1 (times their share) instead of exactly by size: close, not equal
        for (int c = 0; c < expected.length; c++) {
          assertThat(running[c]).as("channel %d", c).isCloseTo(expected[c], within(0.02f * Math.abs(expected[c]) + 0.05f));
        }
      }
    }
  }
}
