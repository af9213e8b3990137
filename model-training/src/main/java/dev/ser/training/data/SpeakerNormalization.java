package dev.ser.training.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

  /** Per clip: the mean and standard deviation it is standardised by. */
  private final float[][] mean;
  private final float[][] std;
  private final int coefficients;

  private SpeakerNormalization(int clips, int coefficients) {
    this.mean = new float[clips][];
    this.std = new float[clips][];
    this.coefficients = coefficients;
  }

  /** Every clip by the statistics of all its speaker's clips. */
  public static SpeakerNormalization fit(float[][] x, List<String> speakers, int coefficients) {
    return fit(x, speakers, coefficients, 0, List.of());
  }

  /**
   * Every clip by the statistics of {@code clipsPerSpeaker} clips of its speaker: itself and
   * {@code clipsPerSpeaker - 1} others drawn at random (seeded by the clip's name, so a rerun
   * draws the same), as a call would have heard that many utterances of its caller; 1 is the clip
   * alone, 0 (or more than the speaker has) all of them.
   */
  public static SpeakerNormalization fit(float[][] x, List<String> speakers, int coefficients, int clipsPerSpeaker,
      List<String> names) {
    if (x.length != speakers.size()) {
      throw new IllegalArgumentException(x.length + " feature matrices but " + speakers.size() + " speakers");
    }
    if (clipsPerSpeaker < 0) {
      throw new IllegalArgumentException("clips per speaker must be >= 0 (0: all), got " + clipsPerSpeaker);
    }
    if (clipsPerSpeaker > 0 && names.size() != x.length) {
      throw new IllegalArgumentException(x.length + " feature matrices but " + names.size() + " clip names");
    }
    Map<String, List<Integer>> bySpeaker = new LinkedHashMap<>();
    for (int i = 0; i < x.length; i++) {
      bySpeaker.computeIfAbsent(speakers.get(i), k -> new ArrayList<>()).add(i);
    }
    SpeakerNormalization n = new SpeakerNormalization(x.length, coefficients);
    for (List<Integer> clips : bySpeaker.values()) {
      float[][] all = clipsPerSpeaker == 0 || clipsPerSpeaker >= clips.size() ? statistics(x, clips, coefficients) : null;
      for (int i : clips) {
        float[][] st = all;
        if (st == null) {
          List<Integer> others = new ArrayList<>(clips);
          others.remove(Integer.valueOf(i));
          Collections.shuffle(others, new Random(names.get(i).hashCode()));
          List<Integer> used = new ArrayList<>(others.subList(0, clipsPerSpeaker - 1));
          used.add(i);
          st = statistics(x, used, coefficients);
        }
        if (st == null) {
          throw new IllegalArgumentException("speaker " + speakers.get(i) + " has no frame of speech to normalise by");
        }
        n.mean[i] = st[0];
        n.std[i] = st[1];
      }
    }
    return n;
  }

  /** Mean and standard deviation per coefficient over the speech frames of {@code clips}; null without any. */
  private static float[][] statistics(float[][] x, List<Integer> clips, int coefficients) {
    double[] sum = new double[coefficients];
    double[] sumSq = new double[coefficients];
    long frames = 0;
    for (int i : clips) {
      int speech = speechFrames(x[i], coefficients);
      for (int t = 0; t < speech; t++) {
        for (int c = 0; c < coefficients; c++) {
          double v = x[i][t * coefficients + c];
          sum[c] += v;
          sumSq[c] += v * v;
        }
      }
      frames += speech;
    }
    if (frames == 0) {
      return null;
    }
    float[] m = new float[coefficients];
    float[] d = new float[coefficients];
    for (int c = 0; c < coefficients; c++) {
      double mu = sum[c] / frames;
      double var = Math.max(0, sumSq[c] / frames - mu * mu);
      m[c] = (float) mu;
      d[c] = (float) Math.max(MIN_STD, Math.sqrt(var));
    }
    return new float[][] {m, d};
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

  /** A standardised copy of clip {@code i}'s matrix (or one of its versions), every frame (padding too). */
  public float[] apply(float[] matrix, int i) {
    float[] m = mean[i];
    float[] d = std[i];
    float[] out = new float[matrix.length];
    for (int k = 0; k < matrix.length; k++) {
      int c = k % coefficients;
      out[k] = (matrix[k] - m[c]) / d[c];
    }
    return out;
  }

  /** Every row of {@code x} (clip i in row i) standardised. */
  public float[][] apply(float[][] x) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = apply(x[i], i);
    }
    return out;
  }

  /** Augmented versions ({@code versions[i][v]}, clip i's) standardised by clip i's statistics. */
  public float[][][] apply(float[][][] versions) {
    float[][][] out = new float[versions.length][][];
    for (int i = 0; i < versions.length; i++) {
      out[i] = new float[versions[i].length][];
      for (int v = 0; v < versions[i].length; v++) {
        out[i][v] = apply(versions[i][v], i);
      }
    }
    return out;
  }
}
