package dev.ser.training.eval;

/**
 * Temperature scaling (Guo et al., 2017): probabilities softmax(logits / T) with one T > 0 fitted
 * by minimising the negative log-likelihood of held-out predictions; T > 1 softens an
 * over-confident model. Also the expected calibration error and the reliability-diagram bins.
 */
public final class Calibration {

  /** The bins of the reliability diagram and of {@link #expectedCalibrationError}. */
  public static final int BINS = 10;

  private Calibration() {}

  /** In place: {@code row} becomes softmax(row / temperature). */
  public static void softmaxInPlace(float[] row, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    double[] e = new double[row.length];
    for (int k = 0; k < row.length; k++) {
      e[k] = Math.exp(row[k] / temperature - max);
      sum += e[k];
    }
    for (int k = 0; k < row.length; k++) {
      row[k] = (float) (e[k] / sum);
    }
  }

  /**
   * The logits of a seed ensemble: per row, the log of the members' mean class probabilities
   * (softmax of each member's logits at temperature 1, averaged), computed as a log-sum-exp of the
   * members' log-probabilities so it stays finite for finite logits. Softmax of the result at
   * temperature 1 is the mean; at T it is the ensemble calibrated by T.
   */
  public static float[][] logMeanProbabilities(java.util.List<float[][]> memberLogits) {
    int members = memberLogits.size();
    int n = memberLogits.get(0).length;
    float[][] out = new float[n][];
    double[][] logP = new double[members][];
    for (int i = 0; i < n; i++) {
      int classes = memberLogits.get(0)[i].length;
      for (int m = 0; m < members; m++) {
        float[] z = memberLogits.get(m)[i];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
          max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : z) {
          sum += Math.exp(v - max);
        }
        double logSum = max + Math.log(sum);
        logP[m] = new double[classes];
        for (int k = 0; k < classes; k++) {
          logP[m][k] = z[k] - logSum;
        }
      }
      out[i] = new float[classes];
      for (int k = 0; k < classes; k++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < members; m++) {
          max = Math.max(max, logP[m][k]);
        }
        double sum = 0;
        for (int m = 0; m < members; m++) {
          sum += Math.exp(logP[m][k] - max);
        }
        out[i][k] = (float) (max + Math.log(sum / members));
      }
    }
    return out;
  }

  public static float[][] probabilities(float[][] logits, double temperature) {
    float[][] out = new float[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i].clone();
      softmaxInPlace(out[i], temperature);
    }
    return out;
  }

  /** Mean negative log-likelihood of {@code truth} under softmax(logits / T). */
  public static double negativeLogLikelihood(float[][] logits, int[] truth, double temperature) {
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float v : logits[i]) {
        max = Math.max(max, v / temperature);
      }
      double z = 0;
      for (float v : logits[i]) {
        z += Math.exp(v / temperature - max);
      }
      sum += -(logits[i][truth[i]] / temperature - max - Math.log(z));
    }
    return sum / logits.length;
  }

  /**
   * The T in [0.05, 20] minimising the NLL: golden-section search over log T (the NLL of
   * temperature scaling is unimodal in T for any fixed logits).
   */
  public static double fitTemperature(float[][] logits, int[] truth) {
    if (logits.length == 0) {
      throw new IllegalArgumentException("cannot fit a temperature on no predictions");
    }
    double lo = Math.log(0.05);
    double hi = Math.log(20);
    double phi = (Math.sqrt(5) - 1) / 2;
    double a = hi - phi * (hi - lo);
    double b = lo + phi * (hi - lo);
    double fa = negativeLogLikelihood(logits, truth, Math.exp(a));
    double fb = negativeLogLikelihood(logits, truth, Math.exp(b));
    for (int i = 0; i < 100 && hi - lo > 1e-6; i++) {
      if (fa < fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - phi * (hi - lo);
        fa = negativeLogLikelihood(logits, truth, Math.exp(a));
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + phi * (hi - lo);
        fb = negativeLogLikelihood(logits, truth, Math.exp(b));
      }
    }
    return Math.exp((lo + hi) / 2);
  }

  /**
   * Reliability bins over the top probability: for each of {@link #BINS} equal-width bins of
   * confidence, {count, mean confidence, accuracy} (NaN where empty).
   */
  public static double[][] reliability(float[][] probabilities, int[] truth) {
    double[][] bins = new double[BINS][3];
    for (int i = 0; i < probabilities.length; i++) {
      int top = 0;
      for (int k = 1; k < probabilities[i].length; k++) {
        if (probabilities[i][k] > probabilities[i][top]) {
          top = k;
        }
      }
      double confidence = probabilities[i][top];
      int bin = Math.min(BINS - 1, (int) (confidence * BINS));
      bins[bin][0]++;
      bins[bin][1] += confidence;
      bins[bin][2] += top == truth[i] ? 1 : 0;
    }
    for (double[] bin : bins) {
      bin[1] = bin[0] == 0 ? Double.NaN : bin[1] / bin[0];
      bin[2] = bin[0] == 0 ? Double.NaN : bin[2] / bin[0];
    }
    return bins;
  }

  /** ECE: the count-weighted mean |accuracy - confidence| over the reliability bins. */
  public static double expectedCalibrationError(float[][] probabilities, int[] truth) {
    double ece = 0;
    for (double[] bin : reliability(probabilities, truth)) {
      if (bin[0] > 0) {
        ece += bin[0] / probabilities.length * Math.abs(bin[2] - bin[1]);
      }
    }
    return ece;
  }
}
