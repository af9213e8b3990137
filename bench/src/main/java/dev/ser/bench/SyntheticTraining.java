package dev.ser.bench;

import dev.ser.training.train.Augmentation;
import dev.ser.training.train.TrainingOptions;
import java.util.Random;

/** The synthetic training setups of the training benches: random clips of 7 classes, the reference options. */
final class SyntheticTraining {

  private SyntheticTraining() {}

  /** {@code n} clips of {@code size} values, Gaussian noise plus {@code signal} x (class x (k mod 5)); class = i mod 7. */
  static float[][] clips(int n, int size, float signal, long seed) {
    Random random = new Random(seed);
    float[][] x = new float[n][size];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < size; k++) {
        x[i][k] = (float) random.nextGaussian() + (i % 7) * signal * (k % 5);
      }
    }
    return x;
  }

  static int[] labels(int n) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 7;
    }
    return y;
  }

  /** The reference recipe with this batch size, seed 42, no warm-up, no averaging, no augmentation, no held-out scoring. */
  static TrainingOptions options(int epochs, int batch) {
    TrainingOptions r = TrainingOptions.reference(epochs);
    return new TrainingOptions(epochs, batch, r.learningRate(), r.beta1(), r.beta2(), r.epsilon(), r.labelSmoothing(),
        42, r.initialization(), r.schedule(), 0, r.minLearningRate(), 1f, Augmentation.NONE, 0);
  }
}
