package dev.ser.core.features;

import java.util.Arrays;

/**
 * The mean and standard deviation of each MFCC over the speech frames of one speaker's
 * utterances, and the standardisation by them: what stays constant in a voice (vocal tract,
 * microphone, level) taken out, so a model sees how this speaker differs from their own habit.
 * Training computes it per speaker, a stream job can keep one per channel (one channel, one
 * caller); both use this class, so the two cannot drift apart.
 *
 * <p>Speech frames are a matrix's frames between its fixed-length padding: {@link FixedLength} pads
 * on both sides, and padding (like digital silence) gives the same vector in every frame, so the
 * leading run of frames equal to the first one and the trailing run equal to the last one are left
 * out, keeping one frame of each. Not thread-safe.
 */
public final class SpeakerStatistics {

  /** Below this a coefficient counts as constant: it is centred, not scaled. */
  static final double MIN_STD = 1e-3;

  private final int coefficients;
  private final double[] sum;
  private final double[] sumOfSquares;
  private long frames;

  public SpeakerStatistics(int coefficients) {
    if (coefficients < 1) {
      throw new IllegalArgumentException("coefficients must be >= 1, got " + coefficients);
    }
    this.coefficients = coefficients;
    this.sum = new double[coefficients];
    this.sumOfSquares = new double[coefficients];
  }

  /** Adds the speech frames of one utterance's row-major frames x coefficients matrix. */
  public SpeakerStatistics add(float[] matrix) {
    if (matrix.length % coefficients != 0) {
      throw new IllegalArgumentException("a matrix of " + matrix.length + " values is not whole frames of "
          + coefficients + " coefficients");
    }
    int[] range = speechRange(matrix, coefficients);
    int first = range[0];
    int speech = range[1];
    for (int t = first; t < first + speech; t++) {
      for (int c = 0; c < coefficients; c++) {
        double v = matrix[t * coefficients + c];
        sum[c] += v;
        sumOfSquares[c] += v * v;
      }
    }
    frames += speech;
    return this;
  }

  /** Speech frames added so far. */
  public long frames() {
    return frames;
  }

  public float[] mean() {
    requireFrames();
    float[] m = new float[coefficients];
    for (int c = 0; c < coefficients; c++) {
      m[c] = (float) (sum[c] / frames);
    }
    return m;
  }

  public float[] standardDeviation() {
    requireFrames();
    float[] d = new float[coefficients];
    for (int c = 0; c < coefficients; c++) {
      double mu = sum[c] / frames;
      d[c] = (float) Math.max(MIN_STD, Math.sqrt(Math.max(0, sumOfSquares[c] / frames - mu * mu)));
    }
    return d;
  }

  /** A copy of {@code matrix} with every frame (padding too) standardised by these statistics. */
  public float[] standardize(float[] matrix) {
    float[] m = mean();
    float[] d = standardDeviation();
    float[] out = new float[matrix.length];
    for (int i = 0; i < matrix.length; i++) {
      int c = i % coefficients;
      out[i] = (matrix[i] - m[c]) / d[c];
    }
    return out;
  }

  /**
   * A copy of {@code matrix} with every frame moved by this speaker's offset from a prior mean,
   * shrunk by how much speech stands behind it: {@code x - n / (n + priorFrames) * (mean - prior)}
   * for n speech frames. Only the mean moves (no scaling), so a caller heard for a moment is scored
   * almost as the prior would have it, and one heard for longer is moved towards the prior by their
   * own constant part (what online cepstral mean normalisation does). {@code priorFrames} 0 moves
   * the whole offset.
   */
  public float[] shiftTowards(float[] matrix, float[] priorMean, double priorFrames) {
    if (priorMean.length != coefficients) {
      throw new IllegalArgumentException("a prior mean of " + priorMean.length + " coefficients for statistics of "
          + coefficients);
    }
    if (!(priorFrames >= 0)) {
      throw new IllegalArgumentException("the prior's weight in frames must be >= 0, got " + priorFrames);
    }
    requireFrames();
    double weight = frames / (frames + priorFrames);
    double[] offset = new double[coefficients];
    for (int c = 0; c < coefficients; c++) {
      offset[c] = weight * (sum[c] / frames - priorMean[c]);
    }
    float[] out = new float[matrix.length];
    for (int i = 0; i < matrix.length; i++) {
      out[i] = (float) (matrix[i] - offset[i % coefficients]);
    }
    return out;
  }

  private void requireFrames() {
    if (frames == 0) {
      throw new IllegalStateException("no frame of speech has been added");
    }
  }

  /** The number of frames of {@code matrix} between its leading and trailing padding (at least 1). */
  public static int speechFrames(float[] matrix, int coefficients) {
    return speechRange(matrix, coefficients)[1];
  }

  /** {first speech frame, speech frames}: one scan from each end. */
  private static int[] speechRange(float[] matrix, int coefficients) {
    int frames = matrix.length / coefficients;
    int first = leadingPadding(matrix, coefficients);
    if (first == frames - 1) {
      return new int[] {first, 1}; // every frame the same
    }
    int last = frames - 1;
    int end = last;
    while (end > first && sameFrame(matrix, coefficients, end - 1, last)) {
      end--;
    }
    return new int[] {first, end - first + 1};
  }

  /** The last frame of the leading run equal to frame 0 (0 when frame 1 differs). */
  private static int leadingPadding(float[] matrix, int coefficients) {
    int frames = matrix.length / coefficients;
    int t = 0;
    while (t + 1 < frames && sameFrame(matrix, coefficients, t + 1, 0)) {
      t++;
    }
    return t;
  }

  private static boolean sameFrame(float[] matrix, int coefficients, int a, int b) {
    return Arrays.equals(matrix, a * coefficients, (a + 1) * coefficients, matrix, b * coefficients,
        (b + 1) * coefficients);
  }
}
