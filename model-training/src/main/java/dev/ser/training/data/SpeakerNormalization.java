package dev.ser.training.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-speaker standardisation of MFCCs: each coefficient minus the mean of that speaker's speech
 * frames, divided by their standard deviation. It takes out what stays constant in a voice (vocal
 * tract length, microphone, level), which a model otherwise learns as part of the emotion and
 * gets wrong for a new speaker. A contact centre can do the same per call: one channel is one
 * caller.
 *
 * <p>The statistics use each clip's frames up to its fixed-length padding. They come from the
 * speaker's own clips only, never their labels. For a leave-one-speaker-out test speaker that is
 * unlabelled audio of the test speaker (about 50 clips of EmoDB, 2 minutes), which a deployment
 * would have only after that much of a call; reports say so.
 */
public final class SpeakerNormalization {

  /** Below this the coefficient is treated as constant: it is centred, not scaled. */
  private static final double MIN_STD = 1e-3;

  private final Map<String, float[]> mean = new HashMap<>();
  private final Map<String, float[]> std = new HashMap<>();
  private final int coefficients;

  private SpeakerNormalization(int coefficients) {
    this.coefficients = coefficients;
  }

  /** The statistics of every speaker in {@code speakers} (one per row of {@code x}), from their rows. */
  public static SpeakerNormalization fit(float[][] x, List<String> speakers, int coefficients) {
    if (x.length != speakers.size()) {
      throw new IllegalArgumentException(x.length + " feature matrices but " + speakers.size() + " speakers");
    }
    SpeakerNormalization n = new SpeakerNormalization(coefficients);
    Map<String, double[]> sum = new HashMap<>();
    Map<String, double[]> sumSq = new HashMap<>();
    Map<String, Long> frames = new HashMap<>();
    for (int i = 0; i < x.length; i++) {
      String s = speakers.get(i);
      double[] a = sum.computeIfAbsent(s, k -> new double[coefficients]);
      double[] b = sumSq.computeIfAbsent(s, k -> new double[coefficients]);
      int speech = speechFrames(x[i], coefficients);
      for (int t = 0; t < speech; t++) {
        for (int c = 0; c < coefficients; c++) {
          double v = x[i][t * coefficients + c];
          a[c] += v;
          b[c] += v * v;
        }
      }
      frames.merge(s, (long) speech, Long::sum);
    }
    for (String s : sum.keySet()) {
      long f = frames.get(s);
      if (f == 0) {
        throw new IllegalArgumentException("speaker " + s + " has no frame of speech to normalise by");
      }
      float[] m = new float[coefficients];
      float[] d = new float[coefficients];
      for (int c = 0; c < coefficients; c++) {
        double mu = sum.get(s)[c] / f;
        double var = Math.max(0, sumSq.get(s)[c] / f - mu * mu);
        m[c] = (float) mu;
        d[c] = (float) Math.max(MIN_STD, Math.sqrt(var));
      }
      n.mean.put(s, m);
      n.std.put(s, d);
    }
    return n;
  }

  /**
   * Frames before the trailing padding: fixed-length padding (and silence at the end) gives the
   * same vector in every frame, so the trailing run of frames equal to the last one is left out,
   * keeping that last frame.
   */
  static int speechFrames(float[] matrix, int coefficients) {
    int frames = matrix.length / coefficients;
    int last = frames - 1;
    int end = last;
    while (end > 0 && sameFrame(matrix, end - 1, last, coefficients)) {
      end--;
    }
    return end + 1;
  }

  private static boolean sameFrame(float[] m, int a, int b, int coefficients) {
    for (int c = 0; c < coefficients; c++) {
      if (Float.floatToIntBits(m[a * coefficients + c]) != Float.floatToIntBits(m[b * coefficients + c])) {
        return false;
      }
    }
    return true;
  }

  /** A standardised copy of {@code matrix}, a clip of {@code speaker}, every frame (padding too). */
  public float[] apply(float[] matrix, String speaker) {
    float[] m = mean.get(speaker);
    if (m == null) {
      throw new IllegalArgumentException("no statistics for speaker " + speaker);
    }
    float[] d = std.get(speaker);
    float[] out = new float[matrix.length];
    for (int i = 0; i < matrix.length; i++) {
      int c = i % coefficients;
      out[i] = (matrix[i] - m[c]) / d[c];
    }
    return out;
  }

  /** Every row of {@code x} standardised by its speaker's statistics. */
  public float[][] apply(float[][] x, List<String> speakers) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = apply(x[i], speakers.get(i));
    }
    return out;
  }

  /** Augmented versions ({@code versions[i][v]}, clip i's) standardised by the statistics of clip i's speaker. */
  public float[][][] apply(float[][][] versions, List<String> speakers) {
    float[][][] out = new float[versions.length][][];
    for (int i = 0; i < versions.length; i++) {
      out[i] = apply(versions[i], java.util.Collections.nCopies(versions[i].length, speakers.get(i)));
    }
    return out;
  }
}
