package dev.ser.training.eval;

import java.util.List;

/**
 * Classification results over K classes. WAR (weighted average recall) is plain accuracy; UAR
 * (unweighted average recall) is the mean of the per-class recalls, the fair figure for
 * imbalanced corpora. Classes with no test item are left out of UAR.
 *
 * @param confusion {@code confusion[true][predicted]} counts
 */
public record Metrics(List<String> labels, long[][] confusion) {

  public static Metrics of(List<String> labels, int[] truth, int[] predicted) {
    if (truth.length != predicted.length) {
      throw new IllegalArgumentException(truth.length + " labels but " + predicted.length + " predictions");
    }
    long[][] confusion = new long[labels.size()][labels.size()];
    for (int i = 0; i < truth.length; i++) {
      confusion[truth[i]][predicted[i]]++;
    }
    return new Metrics(labels, confusion);
  }

  /** Sum of several folds' confusion matrices. */
  public static Metrics pooled(List<Metrics> folds) {
    int k = folds.get(0).labels.size();
    long[][] sum = new long[k][k];
    for (Metrics m : folds) {
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          sum[i][j] += m.confusion[i][j];
        }
      }
    }
    return new Metrics(folds.get(0).labels, sum);
  }

  public long total() {
    long n = 0;
    for (long[] row : confusion) {
      for (long c : row) {
        n += c;
      }
    }
    return n;
  }

  /** Recall of each class; NaN for a class with no test item. */
  public double[] recall() {
    double[] r = new double[confusion.length];
    for (int i = 0; i < r.length; i++) {
      long support = 0;
      for (long c : confusion[i]) {
        support += c;
      }
      r[i] = support == 0 ? Double.NaN : (double) confusion[i][i] / support;
    }
    return r;
  }

  public double war() {
    long correct = 0;
    for (int i = 0; i < confusion.length; i++) {
      correct += confusion[i][i];
    }
    return (double) correct / total();
  }

  public double uar() {
    double sum = 0;
    int present = 0;
    for (double r : recall()) {
      if (!Double.isNaN(r)) {
        sum += r;
        present++;
      }
    }
    return sum / present;
  }

  /** Mean and sample standard deviation. */
  public static double[] meanStd(double[] values) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.length;
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    return new double[] {mean, values.length > 1 ? Math.sqrt(var / (values.length - 1)) : 0};
  }
}
