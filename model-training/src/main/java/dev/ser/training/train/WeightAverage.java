package dev.ser.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.ser.training.model.EngineMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic weight averaging: the running mean of the trainable parameters, one sample per
 * {@link #add()}. Batch-norm statistics are not averaged; they are recomputed for the averaged
 * weights afterwards.
 */
final class WeightAverage {

  private final List<Parameter> parameters = new ArrayList<>();
  private final List<double[]> sums = new ArrayList<>();
  private int count;

  WeightAverage(Block block) {
    for (var p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        parameters.add(p.getValue());
        sums.add(new double[(int) p.getValue().getArray().size()]);
      }
    }
  }

  void add() {
    for (int i = 0; i < parameters.size(); i++) {
      float[] v = parameters.get(i).getArray().toFloatArray();
      double[] sum = sums.get(i);
      for (int j = 0; j < v.length; j++) {
        sum[j] += v[j];
      }
    }
    count++;
  }

  int count() {
    return count;
  }

  /** Replaces the block's trainable parameters with the average. */
  void applyTo(Block block) {
    if (count == 0) {
      throw new IllegalStateException("no weights were averaged");
    }
    for (int i = 0; i < parameters.size(); i++) {
      double[] sum = sums.get(i);
      float[] mean = new float[sum.length];
      for (int j = 0; j < sum.length; j++) {
        mean[j] = (float) (sum[j] / count);
      }
      NDArray array = parameters.get(i).getArray();
      EngineMemory.assign(array, mean);
    }
  }
}
