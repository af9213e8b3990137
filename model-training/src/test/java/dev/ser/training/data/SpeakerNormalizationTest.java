package dev.ser.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpeakerNormalizationTest {

  /** Two coefficients; frames as (c0, c1) pairs. */
  private static float[] clip(float... values) {
    return values;
  }

  @Test
  void eachSpeakerIsStandardisedByTheStatisticsOfTheirOwnSpeechFrames() {
    // speaker a: c1 constant 10; speaker b: c0 {0, 4} (mean 2, std 2)
    float[][] x = {clip(1, 10, 3, 10, 0, 10, 0, 10), clip(5, 10, 7, 10), clip(0, 1, 4, 1)};
    List<String> speakers = List.of("a", "a", "b");
    // clip 0 ends in a repeated frame (0, 10), the padding: (1, 10) (3, 10) (0, 10) are speech, so a's c0 is {1, 3, 0, 5, 7}
    SpeakerNormalization n = SpeakerNormalization.fit(x, speakers, 2);
    float[][] out = n.apply(x);
    double mean = (1 + 3 + 0 + 5 + 7) / 5.0;
    double std = Math.sqrt((1 + 9 + 0 + 25 + 49) / 5.0 - mean * mean);
    assertThat((double) out[1][0]).isCloseTo((5 - mean) / std, org.assertj.core.api.Assertions.within(1e-6));
    assertThat((double) out[0][6]).isCloseTo((0 - mean) / std, org.assertj.core.api.Assertions.within(1e-6)); // padding frames are normalised too
    assertThat(out[0][1]).isEqualTo(0f); // a constant coefficient is centred, not blown up
    assertThat(out[2][0]).isEqualTo(-1f);
    assertThat(out[2][2]).isEqualTo(1f);
    assertThat(x[2][0]).isEqualTo(0f); // the input is not changed
  }

  @Test
  void versionsUseTheirClipsSpeakersStatistics() {
    float[][] x = {clip(0, 1, 4, 1)};
    SpeakerNormalization n = SpeakerNormalization.fit(x, List.of("b"), 2);
    float[][][] out = n.apply(new float[][][] {{clip(2, 1, 6, 1), clip(-2, 1, 2, 1)}});
    assertThat(out[0][0]).containsExactly(0f, 0f, 2f, 0f);
    assertThat(out[0][1]).containsExactly(-2f, 0f, 0f, 0f);
  }

  @Test
  void withKClipsEachClipIsStandardisedByItselfAndKMinusOneOthersOfItsSpeaker() {
    // speaker a: three clips whose c0 is constant within the clip (1, 3 and 8); b: one clip
    float[][] x = {clip(1, 0, 1, 5), clip(3, 0, 3, 5), clip(8, 0, 8, 5), clip(0, 1, 4, 1)};
    List<String> speakers = List.of("a", "a", "a", "b");
    List<String> names = List.of("x.wav", "y.wav", "z.wav", "w.wav");
    // K = 1: the clip alone, whose c0 is constant: centred to 0
    float[][] alone = SpeakerNormalization.fit(x, speakers, 2, 1, names).apply(x);
    assertThat(alone[0][0]).isEqualTo(0f);
    assertThat(alone[2][2]).isEqualTo(0f);
    assertThat(alone[3]).containsExactly(-1f, 0f, 1f, 0f);
    // K = 2: the clip and one other; which one is drawn from the clip's name, the same every time
    float[][] two = SpeakerNormalization.fit(x, speakers, 2, 2, names).apply(x);
    assertThat(SpeakerNormalization.fit(x, speakers, 2, 2, names).apply(x)).isDeepEqualTo(two);
    // clip 0 (c0 = 1) with clip 1 (3): mean 2, std 1, so -1; or with clip 2 (8): mean 4.5, std 3.5, so -1
    assertThat(two[0][0]).isEqualTo(-1f);
    // K = 3 is every clip of a: the same as K = 0
    assertThat(SpeakerNormalization.fit(x, speakers, 2, 3, names).apply(x))
        .isDeepEqualTo(SpeakerNormalization.fit(x, speakers, 2).apply(x));
  }

  @Test
  void meanShiftMovesEachSpeakerTowardsTheCorpusMeanByTheirShareOfTheWeight() {
    // a's speech frames (2, 0) (4, 0): mean (3, 0); b's (6, 2) (8, 2): mean (7, 2); every clip's: (5, 1)
    float[][] x = {clip(2, 0, 4, 0), clip(6, 2, 8, 2)};
    List<String> speakers = List.of("a", "b");
    // a prior worth 2 frames against each speaker's 2: half of each offset, (-2, -1) and (2, 1)
    SpeakerNormalization n = SpeakerNormalization.fitMeanShift(x, speakers, 2, 0, List.of(), 2);
    assertThat(n.apply(x)[0]).containsExactly(3f, 0.5f, 5f, 0.5f);
    assertThat(n.apply(x)[1]).containsExactly(5f, 1.5f, 7f, 1.5f);
    // versions move with their clip's speaker, by the same amount
    assertThat(n.apply(new float[][][] {{clip(0, 0, 0, 0)}, {clip(0, 0, 0, 0)}})[1][0])
        .containsExactly(-1f, -0.5f, -1f, -0.5f);
    // no prior weight: both speakers on the corpus mean
    float[][] full = SpeakerNormalization.fitMeanShift(x, speakers, 2, 0, List.of(), 0).apply(x);
    assertThat(full[0]).containsExactly(4f, 1f, 6f, 1f);
    assertThat(full[1]).containsExactly(4f, 1f, 6f, 1f);
  }

  @Test
  void mismatchedInputsAreRefused() {
    assertThatThrownBy(() -> SpeakerNormalization.fit(new float[][] {clip(0, 1)}, List.of("b"), 2, 2, List.of()))
        .hasMessage("1 feature matrices but 0 clip names");
    assertThatThrownBy(() -> SpeakerNormalization.fit(new float[][] {clip(0, 1)}, List.of(), 2))
        .hasMessage("1 feature matrices but 0 speakers");
  }
}
