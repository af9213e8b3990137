package dev.ser.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles of measured values (nearest rank). */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  synchronized void add(double v) {
    values.add(v);
  }

  synchronized int count() {
    return values.size();
  }

  synchronized double percentile(double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** Values of the last {@code fraction} of the run (by insertion order). */
  synchronized Stats tail(double fraction) {
    Stats s = new Stats();
    int from = (int) (values.size() * (1 - fraction));
    for (int i = from; i < values.size(); i++) {
      s.values.add(values.get(i));
    }
    return s;
  }
}
