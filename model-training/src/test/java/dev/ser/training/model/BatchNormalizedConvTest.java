package dev.ser.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The folded convolution must be DJL's convolution then batch norm in training mode: the same
 * output, the same gradients for the convolution's and the norm's parameters, the same running
 * statistics afterwards. Inputs with a mean far from 0 and unequal coefficients, so the padding
 * at the edges and the patches' centring both matter.
 */
class BatchNormalizedConvTest {

  private static final int N = 3;
  private static final int T = 20;
  private static final int F = 12;
  private static final int C = 5;

  @ParameterizedTest(name = "branch {0}")
  @ValueSource(ints = {0, 1, 2})
  void equalsConvolutionThenBatchNormInTrainingWithItsGradientsAndRunningStatistics(int branch) {
    int[] kernel = TimeFrequencyFusion.kernel(branch);
    try (NDManager manager = NDManager.newBaseManager()) {
      Conv2d conv = branchConvolution(manager, kernel);
      BatchNorm norm = branchNorm(manager);
      Random random = new Random(11 + branch);
      Map<String, float[]> start = randomParameters(conv, norm, random);
      float[] input = new float[N * T * F];
      for (int i = 0; i < input.length; i++) {
        input[i] = 1.5f + (1 + i % F) * 0.3f * (float) random.nextGaussian(); // mean 1.5, spread per coefficient
      }
      float[] weights = new float[N * C * T * F];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = (float) random.nextGaussian();
      }

      Map<String, float[]> reference = run(manager, conv, norm, input, weights, false);
      restore(conv, norm, start);
      Map<String, float[]> folded = run(manager, conv, norm, input, weights, true);

      assertThat(folded.keySet()).containsExactlyElementsOf(reference.keySet());
      for (String key : reference.keySet()) {
        float[] expected = reference.get(key);
        float[] actual = folded.get(key);
        double scale = 0;
        for (float v : expected) {
          scale = Math.max(scale, Math.abs(v));
        }
        if (key.equals("grad Conv2d.bias")) {
          // the convolution's bias cancels in batch norm: its gradient is 0 exactly in the folded form, rounding
          // noise of a sum over the N x T x F map in DJL's
          assertThat(actual).as(key).containsOnly(0f);
          assertThat(maxAbs(expected)).as(key).isLessThan(1e-4);
          continue;
        }
        if (key.startsWith("BatchNorm.running")) {
          // the running statistics move by 1 % of (batch - running): compare the moves, tightly enough to tell
          // the unbiased variance (PyTorch's update) from the biased one (0.14 % apart at M = 720)
          float[] before = start.get(key);
          double move = 0;
          for (int i = 0; i < expected.length; i++) {
            move = Math.max(move, Math.abs(expected[i] - before[i]));
          }
          for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i] - before[i]).as("%s[%d] - start", key, i)
                .isCloseTo(expected[i] - before[i], org.assertj.core.data.Offset.offset(1e-4 * move));
          }
          continue;
        }
        for (int i = 0; i < expected.length; i++) {
          // everything else agrees to float rounding of its own magnitude
          double tolerance = 2e-4 * Math.max(scale, 1e-3);
          assertThat((double) actual[i]).as("%s[%d]", key, i).isCloseTo(expected[i],
              org.assertj.core.data.Offset.offset(tolerance));
        }
      }
      // and the comparison is not vacuous: the output is normalised, the gradients are not zero
      assertThat(maxAbs(reference.get("output"))).isGreaterThan(1);
      assertThat(maxAbs(reference.get("grad Conv2d.weight"))).isGreaterThan(1e-2);
      assertThat(maxAbs(reference.get("grad BatchNorm.gamma"))).isGreaterThan(1e-2);
      assertThat(reference.get("BatchNorm.runningMean")).isNotEqualTo(start.get("BatchNorm.runningMean"));
    }
  }

  @ParameterizedTest(name = "branch {0}")
  @ValueSource(ints = {0, 1, 2})
  void outsideTrainingEqualsConvolutionThenBatchNormWithRunningStatistics(int branch) {
    int[] kernel = TimeFrequencyFusion.kernel(branch);
    try (NDManager manager = NDManager.newBaseManager()) {
      Conv2d conv = branchConvolution(manager, kernel);
      BatchNorm norm = branchNorm(manager);
      Random random = new Random(5 + branch);
      randomParameters(conv, norm, random);
      float[] input = new float[N * T * F];
      for (int i = 0; i < input.length; i++) {
        input[i] = 1.5f + (float) random.nextGaussian();
      }
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray map = EngineMemory.create(manager, input, new Shape(N, 1, T, F));
      float[] expected = norm.forward(ps, new NDList(conv.forward(ps, new NDList(map), false).singletonOrThrow()), false)
          .singletonOrThrow().toFloatArray();
      float[] runningMean = norm.getParameters().get("runningMean").getArray().toFloatArray();
      float[] actual = BatchNormalizedConv.forward(ps, conv, norm, MsSenet.BATCH_NORM_MOMENTUM,
          Layers.BATCH_NORM_EPSILON, map, false).toFloatArray();
      assertThat(maxAbs(expected)).isGreaterThan(1);
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) actual[i]).as("output[%d]", i)
            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4 * maxAbs(expected)));
      }
      // and the running statistics are only read
      assertThat(norm.getParameters().get("runningMean").getArray().toFloatArray()).containsExactly(runningMean);
    }
  }

  @Test
  void refusesAMapOfSeveralChannels() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Conv2d conv = Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(C).build();
      BatchNorm norm = Layers.batchNorm();
      conv.initialize(manager, DataType.FLOAT32, new Shape(N, 2, T, F));
      norm.initialize(manager, DataType.FLOAT32, new Shape(N, C, T, F));
      NDArray map = manager.zeros(new Shape(N, 2, T, F));
      assertThatThrownBy(() -> BatchNormalizedConv.forward(new ParameterStore(manager, false), conv, norm,
          0.99f, 1e-3f, map, true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single-channel map");
    }
  }

  /** A fusion branch's convolution for an (N, 1, T, F) map. */
  private static Conv2d branchConvolution(NDManager manager, int[] kernel) {
    Conv2d conv = Conv2d.builder().setKernelShape(new Shape(kernel[0], kernel[1]))
        .optPadding(new Shape(kernel[0] / 2, kernel[1] / 2)).setFilters(C).build();
    conv.initialize(manager, DataType.FLOAT32, new Shape(N, 1, T, F));
    return conv;
  }

  private static BatchNorm branchNorm(NDManager manager) {
    BatchNorm norm = Layers.batchNorm();
    norm.initialize(manager, DataType.FLOAT32, new Shape(N, C, T, F));
    return norm;
  }

  /**
   * Random values for every parameter, the variances and scales positive; returns them by
   * "Block.name" for {@link #restore}.
   */
  private static Map<String, float[]> randomParameters(Conv2d conv, BatchNorm norm, Random random) {
    Map<String, float[]> start = new LinkedHashMap<>();
    for (var block : new ai.djl.nn.Block[] {conv, norm}) {
      for (var p : block.getParameters()) {
        NDArray a = p.getValue().getArray();
        float[] values = new float[(int) a.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = switch (p.getKey()) {
            case "runningVar", "gamma" -> 0.5f + random.nextFloat();
            default -> (float) random.nextGaussian() * 0.4f;
          };
        }
        EngineMemory.assign(a, values);
        a.setRequiresGradient(p.getValue().requiresGradient());
        start.put(block.getClass().getSimpleName() + "." + p.getKey(), values);
      }
    }
    return start;
  }

  private static Map<String, float[]> run(NDManager manager, Conv2d conv, BatchNorm norm, float[] input,
      float[] weights, boolean foldedForm) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (NDManager scope = manager.newSubManager()) {
      ParameterStore ps = new ParameterStore(scope, false);
      NDArray map = EngineMemory.create(scope, input, new Shape(N, 1, T, F));
      NDArray w = EngineMemory.create(scope, weights, new Shape(N, C, T, F));
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray y = foldedForm
            ? BatchNormalizedConv.forward(ps, conv, norm, MsSenet.BATCH_NORM_MOMENTUM, Layers.BATCH_NORM_EPSILON,
                map, true)
            : norm.forward(ps, new NDList(conv.forward(ps, new NDList(map), true).singletonOrThrow()), true)
                .singletonOrThrow();
        out.put("output", y.toFloatArray());
        collector.backward(y.mul(w).sum());
      }
      for (var block : new ai.djl.nn.Block[] {conv, norm}) {
        for (var p : block.getParameters()) {
          NDArray a = p.getValue().getArray();
          String name = block.getClass().getSimpleName() + "." + p.getKey();
          if (p.getValue().requiresGradient()) {
            out.put("grad " + name, a.getGradient().toFloatArray());
            a.getGradient().set(new NDIndex("..."), 0f);
          } else {
            out.put(name, a.toFloatArray());
          }
        }
      }
    }
    return out;
  }

  private static void restore(Conv2d conv, BatchNorm norm, Map<String, float[]> start) {
    for (var block : new ai.djl.nn.Block[] {conv, norm}) {
      for (var p : block.getParameters()) {
        EngineMemory.assign(p.getValue().getArray(), start.get(block.getClass().getSimpleName() + "." + p.getKey()));
      }
    }
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
