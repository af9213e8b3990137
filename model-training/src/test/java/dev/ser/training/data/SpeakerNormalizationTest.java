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
  void trailingPaddingFramesAreNotSpeech() {
    // 3 speech frames, then 3 frames equal to the last one: the padding; the last is kept
    assertThat(SpeakerNormalization.speechFrames(clip(1, 2, 3, 4, 5, 6, 9, 9, 9, 9, 9, 9), 2)).isEqualTo(4);
    assertThat(SpeakerNormalization.speechFrames(clip(1, 2, 3, 4, 5, 6), 2)).isEqualTo(3);
    assertThat(SpeakerNormalization.speechFrames(clip(7, 7, 7, 7), 2)).isEqualTo(1);
  }

  @Test
  void eachSpeakerIsStandardisedByTheStatisticsOfTheirOwnSpeechFrames() {
    // speaker a: c1 constant 10; speaker b: c0 {0, 4} (mean 2, std 2)
    float[][] x = {clip(1, 10, 3, 10, 0, 10, 0, 10), clip(5, 10, 7, 10), clip(0, 1, 4, 1)};
    List<String> speakers = List.of("a", "a", "b");
    // clip 0 ends in a repeated frame (0, 10), the padding: (1, 10) (3, 10) (0, 10) are speech, so a's c0 is {1, 3, 0, 5, 7}
    SpeakerNormalization n = SpeakerNormalization.fit(x, speakers, 2);
    float[][] out = n.apply(x, speakers);
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
    float[][][] out = n.apply(new float[][][] {{clip(2, 1, 6, 1), clip(-2, 1, 2, 1)}}, List.of("b"));
    assertThat(out[0][0]).containsExactly(0f, 0f, 2f, 0f);
    assertThat(out[0][1]).containsExactly(-2f, 0f, 0f, 0f);
  }

  @Test
  void anUnknownSpeakerIsRefused() {
    SpeakerNormalization n = SpeakerNormalization.fit(new float[][] {clip(0, 1, 4, 1)}, List.of("b"), 2);
    assertThatThrownBy(() -> n.apply(clip(0, 1), "c")).hasMessage("no statistics for speaker c");
    assertThatThrownBy(() -> SpeakerNormalization.fit(new float[][] {clip(0, 1)}, List.of(), 2))
        .hasMessage("1 feature matrices but 0 speakers");
  }
}
