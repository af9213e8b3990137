package dev.ser.training.train;

import java.util.Random;

/** Clips of Gaussian noise, {@code frames x coefficients} each, labelled 0, 1, ..., classes - 1 in turn. */
record RandomClips(float[][] x, int[] y) {

  static RandomClips of(long seed, int clips, int frames, int coefficients, int classes) {
    Random random = new Random(seed);
    float[][] x = new float[clips][frames * coefficients];
    int[] y = new int[clips];
    for (int i = 0; i < clips; i++) {
      for (int k = 0; k < x[i].length; k++) {
        x[i][k] = (float) random.nextGaussian();
      }
      y[i] = i % classes;
    }
    return new RandomClips(x, y);
  }
}
