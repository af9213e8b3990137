package dev.ser.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FoldsAndMetricsTest {

  static List<String> labels(int a, int b) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < a; i++) {
      l.add("a");
    }
    for (int i = 0; i < b; i++) {
      l.add("b");
    }
    return l;
  }

  @Test
  void stratifiedFoldsPartitionAndKeepProportions() {
    List<String> labels = labels(127, 46); // EmoDB's anger and disgust counts
    List<List<Integer>> folds = Folds.stratifiedKFold(labels, 10, 42);
    Set<Integer> seen = new HashSet<>();
    for (List<Integer> fold : folds) {
      seen.addAll(fold);
      long a = fold.stream().filter(i -> labels.get(i).equals("a")).count();
      assertThat(a).isBetween(12L, 13L);
      assertThat(fold.size() - a).isBetween(4L, 5L);
      assertThat(fold.size()).isBetween(17, 18);
    }
    assertThat(seen).hasSize(173);
    assertThat(folds.stream().mapToInt(List::size).sum()).isEqualTo(173);
    assertThat(Folds.stratifiedKFold(labels, 10, 42)).isEqualTo(folds);
    assertThat(Folds.stratifiedKFold(labels, 10, 43)).isNotEqualTo(folds);
    assertThat(Folds.complement(folds.get(0), 173)).hasSize(173 - folds.get(0).size()).doesNotContainAnyElementsOf(folds.get(0));
  }

  @Test
  void foldErrors() {
    assertThatThrownBy(() -> Folds.stratifiedKFold(labels(20, 3), 5, 1))
        .hasMessage("class \"b\" has 3 items, fewer than the 5 folds");
    assertThatThrownBy(() -> Folds.leaveOneSpeakerOut(List.of("unknown", "unknown")))
        .hasMessageContaining("needs speakers");
  }

  @Test
  void leaveOneSpeakerOutGroupsBySpeaker() {
    assertThat(Folds.leaveOneSpeakerOut(List.of("16", "03", "16", "08")))
        .containsExactly(List.of(1), List.of(3), List.of(0, 2));
  }

  @Test
  void uarWeighsClassesEquallyAndWarCountsItems() {
    // 8 of class 0 (6 right), 2 of class 1 (1 right), class 2 absent
    int[] truth = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    int[] pred = {0, 0, 0, 0, 0, 0, 1, 2, 1, 0};
    Metrics m = Metrics.of(List.of("x", "y", "z"), truth, pred);
    assertThat(m.war()).isEqualTo(0.7);
    assertThat(m.uar()).isCloseTo((0.75 + 0.5) / 2, within(1e-12));
    assertThat(m.recall()[2]).isNaN();
    assertThat(m.confusion()[0]).containsExactly(6, 1, 1);
    Metrics pooled = Metrics.pooled(List.of(m, m));
    assertThat(pooled.total()).isEqualTo(20);
    assertThat(pooled.war()).isEqualTo(0.7);
    double[] ms = Metrics.meanStd(new double[] {0.8, 0.9, 1.0});
    assertThat(ms[0]).isCloseTo(0.9, within(1e-12));
    assertThat(ms[1]).isCloseTo(0.1, within(1e-12));
  }
}
