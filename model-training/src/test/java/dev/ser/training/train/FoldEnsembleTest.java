package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.training.eval.Calibration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FoldRecord#ensemble}: what averaging several runs' probabilities would have scored on a fold. */
class FoldEnsembleTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static FoldRecord member(long seed, float[][] logits, List<String> clips, int[] truth, double... losses) {
    ObjectNode settings = JSON.createObjectNode().put("protocol", "loso");
    settings.putObject("training_options").put("seed", seed);
    List<EpochStats> curve = new java.util.ArrayList<>();
    for (int e = 0; e < losses.length; e++) {
      curve.add(new EpochStats(e + 1, losses[e], 0.5, Double.NaN, 2.0));
    }
    return new FoldRecord(3, settings, clips, truth, logits, curve, 10);
  }

  @Test
  void theEnsemblesLogitsAreTheLogOfTheMembersMeanProbabilities() {
    List<String> clips = List.of("a.wav", "b.wav");
    int[] truth = {1, 2};
    float ln2 = (float) Math.log(2);
    float ln3 = (float) Math.log(3);
    float ln5 = (float) Math.log(5);
    // clip a: member 1 (1, 3, 4)/8 and member 2 (3, 1, 4)/8 -> mean (2, 2, 4)/8
    FoldRecord one = member(42, new float[][] {{0, ln3, 2 * ln2}, {0, 0, 0}}, clips, truth, 1.0, 0.8);
    FoldRecord two = member(43, new float[][] {{ln3, 0, 2 * ln2}, {0, ln2, ln5}}, clips, truth, 0.6, 0.4, 0.2);

    FoldRecord e = FoldRecord.ensemble(List.of(one, two));

    assertThat(e.fold()).isEqualTo(3);
    assertThat(e.test()).isEqualTo(clips);
    assertThat(e.truth()).containsExactly(1, 2);
    assertThat(e.logits()[0][0]).isCloseTo((float) Math.log(0.25), within(1e-6f));
    assertThat(e.logits()[0][1]).isCloseTo((float) Math.log(0.25), within(1e-6f));
    assertThat(e.logits()[0][2]).isCloseTo((float) Math.log(0.5), within(1e-6f));
    // clip b: member 1 (1/3 each), member 2 (1, 2, 5)/8 -> (11, 14, 23)/48
    float[] p = Calibration.probabilities(e.logits(), 1)[1];
    assertThat(p[0]).isCloseTo(11f / 48, within(1e-6f));
    assertThat(p[1]).isCloseTo(14f / 48, within(1e-6f));
    assertThat(p[2]).isCloseTo(23f / 48, within(1e-6f));
    assertThat(e.predicted()).containsExactly(2, 2);
    assertThat(e.settings().get("ensemble_seeds").toString()).isEqualTo("[42,43]");
    assertThat(e.seconds()).isEqualTo(20.0);
    // the curve: epochs both members have, losses averaged, seconds summed
    assertThat(e.curve()).hasSize(2);
    assertThat(e.curve().get(0).loss()).isCloseTo(0.8, within(1e-12));
    assertThat(e.curve().get(1).loss()).isCloseTo(0.6, within(1e-12));
    assertThat(e.curve().get(1).seconds()).isEqualTo(4.0);
  }

  @Test
  void anEnsembleOfOnePredictsAsItsMember() {
    List<String> clips = List.of("a.wav");
    FoldRecord one = member(7, new float[][] {{3, -1, 0.5f}}, clips, new int[] {0}, 1.0);
    FoldRecord e = FoldRecord.ensemble(List.of(one));
    float[] expected = Calibration.probabilities(one.logits(), 1)[0];
    float[] got = Calibration.probabilities(e.logits(), 1)[0];
    for (int k = 0; k < 3; k++) {
      assertThat(got[k]).isCloseTo(expected[k], within(1e-6f));
    }
  }

  @Test
  void membersThatTestOtherClipsAreRefusedWithTheClipNamed() {
    FoldRecord one = member(42, new float[][] {{0, 1}, {1, 0}}, List.of("a.wav", "b.wav"), new int[] {0, 1}, 1.0);
    FoldRecord two = member(43, new float[][] {{0, 1}, {1, 0}}, List.of("a.wav", "c.wav"), new int[] {0, 1}, 1.0);
    assertThatThrownBy(() -> FoldRecord.ensemble(List.of(one, two)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fold 3: member 2 tests other clips than member 1 (2 vs 2 clips; first difference at clip 2:"
            + " b.wav vs c.wav): not the same protocol and folds");
  }
}
