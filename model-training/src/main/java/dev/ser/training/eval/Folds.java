package dev.ser.training.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Cross-validation splits: each fold is the list of indices held out for testing. */
public final class Folds {

  private Folds() {}

  /**
   * Stratified k-fold: each class's items, shuffled with {@code seed}, are dealt round-robin to the
   * folds, continuing where the previous class stopped, so every fold gets each class in
   * proportion and fold sizes differ by at most one.
   */
  public static List<List<Integer>> stratifiedKFold(List<String> labels, int k, long seed) {
    if (k < 2) {
      throw new IllegalArgumentException("need at least 2 folds, got " + k);
    }
    Map<String, List<Integer>> byClass = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      byClass.computeIfAbsent(labels.get(i), l -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
      if (e.getValue().size() < k) {
        throw new IllegalArgumentException("class \"" + e.getKey() + "\" has " + e.getValue().size()
            + " items, fewer than the " + k + " folds");
      }
    }
    List<List<Integer>> folds = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      folds.add(new ArrayList<>());
    }
    Random random = new Random(seed);
    int next = 0;
    for (List<Integer> items : byClass.values()) {
      List<Integer> shuffled = new ArrayList<>(items);
      Collections.shuffle(shuffled, random);
      for (int i : shuffled) {
        folds.get(next).add(i);
        next = (next + 1) % k;
      }
    }
    folds.forEach(Collections::sort);
    return folds;
  }

  /** Leave-one-speaker-out: one fold per speaker, in speaker order. */
  public static List<List<Integer>> leaveOneSpeakerOut(List<String> speakers) {
    Map<String, List<Integer>> bySpeaker = new TreeMap<>();
    for (int i = 0; i < speakers.size(); i++) {
      bySpeaker.computeIfAbsent(speakers.get(i), s -> new ArrayList<>()).add(i);
    }
    if (bySpeaker.containsKey(dev.ser.training.data.LabeledClip.UNKNOWN_SPEAKER)) {
      throw new IllegalArgumentException("leave-one-speaker-out needs speakers, but this corpus layout does not"
          + " name them; use a CSV manifest with a speaker column");
    }
    if (bySpeaker.size() < 2) {
      throw new IllegalArgumentException("leave-one-speaker-out needs at least 2 speakers, got " + bySpeaker.keySet());
    }
    return new ArrayList<>(bySpeaker.values());
  }

  /** Every index not in {@code fold}, ascending. */
  public static List<Integer> complement(List<Integer> fold, int size) {
    boolean[] held = new boolean[size];
    fold.forEach(i -> held[i] = true);
    List<Integer> rest = new ArrayList<>(size - fold.size());
    for (int i = 0; i < size; i++) {
      if (!held[i]) {
        rest.add(i);
      }
    }
    return rest;
  }
}
