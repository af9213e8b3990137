package dev.ser.training.data;

import dev.ser.core.features.SpeakerStatistics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Per-speaker standardisation of MFCCs: each coefficient minus the mean of that speaker's speech
 * frames, divided by their standard deviation. It takes out what stays constant in a voice (vocal
 * tract length, microphone, level), which a model otherwise learns as part of the emotion and
 * gets wrong for a new speaker. A contact centre can do the same per call: one channel is one
 * caller.
 *
 * <p>The statistics ({@link SpeakerStatistics}, shared with anything that scores: the clip's frames
 * between its fixed-length padding) come from the speaker's own clips only, never their labels. For
 * a leave-one-speaker-out test speaker that is
 * unlabelled audio of the test speaker (about 50 clips of EmoDB, 2 minutes), which a deployment
 * would have only after that much of a call; reports say so.
 */
public final class SpeakerNormalization {

  /** Per clip: the statistics it is standardised by (one instance shared by a speaker's clips when all are used). */
  private final SpeakerStatistics[] statistics;
  /** For a mean shift: the mean of every clip's speech frames, the prior; null to standardise. */
  private final float[] prior;
  private final double priorFrames;

  private SpeakerNormalization(int clips, float[] prior, double priorFrames) {
    this.statistics = new SpeakerStatistics[clips];
    this.prior = prior;
    this.priorFrames = priorFrames;
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
    return fit(x, speakers, coefficients, clipsPerSpeaker, names, null, 0);
  }

  /**
   * Every clip moved (not scaled) by its speaker's offset from the mean of every clip's speech frames,
   * shrunk by a prior worth {@code priorFrames} frames ({@link SpeakerStatistics#shiftTowards}); the
   * speaker's statistics from {@code clipsPerSpeaker} clips as for {@link #fit}. The prior is
   * unlabelled audio of the whole corpus (held-out speakers' clips included, as their own statistics
   * are); a stream job would carry the training data's.
   */
  public static SpeakerNormalization fitMeanShift(float[][] x, List<String> speakers, int coefficients,
      int clipsPerSpeaker, List<String> names, double priorFrames) {
    if (!(priorFrames >= 0)) {
      throw new IllegalArgumentException("the prior's weight in frames must be >= 0, got " + priorFrames);
    }
    float[] prior = statistics(x, IntStream.range(0, x.length).boxed().toList(), coefficients).mean();
    return fit(x, speakers, coefficients, clipsPerSpeaker, names, prior, priorFrames);
  }

  private static SpeakerNormalization fit(float[][] x, List<String> speakers, int coefficients, int clipsPerSpeaker,
      List<String> names, float[] prior, double priorFrames) {
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
    SpeakerNormalization n = new SpeakerNormalization(x.length, prior, priorFrames);
    for (List<Integer> clips : bySpeaker.values()) {
      SpeakerStatistics all = clipsPerSpeaker == 0 || clipsPerSpeaker >= clips.size()
          ? statistics(x, clips, coefficients) : null;
      for (int i : clips) {
        if (all != null) {
          n.statistics[i] = all;
          continue;
        }
        List<Integer> others = new ArrayList<>(clips);
        others.remove(Integer.valueOf(i));
        Collections.shuffle(others, new Random(names.get(i).hashCode()));
        List<Integer> used = new ArrayList<>(others.subList(0, clipsPerSpeaker - 1));
        used.add(i);
        n.statistics[i] = statistics(x, used, coefficients);
      }
    }
    return n;
  }

  private static SpeakerStatistics statistics(float[][] x, List<Integer> clips, int coefficients) {
    SpeakerStatistics s = new SpeakerStatistics(coefficients);
    for (int i : clips) {
      s.add(x[i]);
    }
    return s;
  }

  /** A standardised (or shifted) copy of clip {@code i}'s matrix (or one of its versions), every frame (padding too). */
  public float[] apply(float[] matrix, int i) {
    return prior == null ? statistics[i].standardize(matrix) : statistics[i].shiftTowards(matrix, prior, priorFrames);
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
