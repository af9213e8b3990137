package dev.ser.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpeakerStatisticsTest {

  @Test
  void trailingPaddingFramesAreNotSpeech() {
    // two coefficients; 3 speech frames, then 3 frames equal to the last one: the padding; the last is kept
    assertThat(SpeakerStatistics.speechFrames(new float[] {1, 2, 3, 4, 5, 6, 9, 9, 9, 9, 9, 9}, 2)).isEqualTo(4);
    assertThat(SpeakerStatistics.speechFrames(new float[] {1, 2, 3, 4, 5, 6}, 2)).isEqualTo(3);
    assertThat(SpeakerStatistics.speechFrames(new float[] {7, 7, 7, 7}, 2)).isEqualTo(1);
  }

  @Test
  void leadingPaddingFramesAreNotSpeechEither() {
    // FixedLength pads on both sides: 2 frames equal to the first, 2 speech frames, 2 equal to the last; one of
    // each run is kept, as for the trailing run alone
    float[] padded = {9, 9, 9, 9, 1, 2, 3, 4, 5, 5, 5, 5};
    assertThat(SpeakerStatistics.speechFrames(padded, 2)).isEqualTo(4);
    SpeakerStatistics s = new SpeakerStatistics(2).add(padded);
    assertThat(s.frames()).isEqualTo(4);
    assertThat(s.mean()).containsExactly(4.5f, 5f); // c0 over {9, 1, 3, 5}, c1 over {9, 2, 4, 5}
  }

  @Test
  void standardisesByTheMeanAndDeviationOfTheSpeechFramesOfEveryUtteranceAdded() {
    // c0 over speech frames {2, 6} and {2, 6, 6}: the second ends in padding, so {2, 6}: mean 4, deviation 2
    SpeakerStatistics s = new SpeakerStatistics(2).add(new float[] {2, 10, 6, 10})
        .add(new float[] {2, 10, 6, 10, 6, 10});
    assertThat(s.frames()).isEqualTo(4);
    assertThat(s.mean()).containsExactly(4f, 10f);
    assertThat(s.standardDeviation()).containsExactly(2f, 1e-3f);
    float[] z = s.standardize(new float[] {6, 10, 4, 11});
    assertThat(z[0]).isEqualTo(1f);
    assertThat(z[1]).isEqualTo(0f); // a constant coefficient is centred, not blown up by a zero deviation...
    assertThat(z[2]).isEqualTo(0f);
    assertThat(z[3]).isEqualTo(1f / (float) 1e-3); // ...and anything off it is scaled by the floor, 1e-3
  }

  @Test
  void shiftsByTheSpeakersOffsetFromThePriorWeightedByTheirFramesAgainstThePriors() {
    // speech frames {2, 6} and {2, 6}: mean (4, 10); the prior (1, 10); offset (3, 0)
    SpeakerStatistics s = new SpeakerStatistics(2).add(new float[] {2, 10, 6, 10})
        .add(new float[] {2, 10, 6, 10, 6, 10});
    // a prior as heavy as the speaker's 4 frames: half the offset, every frame
    assertThat(s.shiftTowards(new float[] {6, 10, 4, 11}, new float[] {1, 10}, 4))
        .containsExactly(4.5f, 10f, 2.5f, 11f);
    // no prior weight: the whole offset (the speaker's mean moved onto the prior)
    assertThat(s.shiftTowards(new float[] {6, 10}, new float[] {1, 10}, 0)).containsExactly(3f, 10f);
    // a prior of 3 996 frames against 4: a thousandth of it
    assertThat(s.shiftTowards(new float[] {6, 10}, new float[] {1, 10}, 3996)).containsExactly(5.997f, 10f);
    assertThatThrownBy(() -> s.shiftTowards(new float[] {6, 10}, new float[] {1}, 4))
        .hasMessage("a prior mean of 1 coefficients for statistics of 2");
    assertThatThrownBy(() -> s.shiftTowards(new float[] {6, 10}, new float[] {1, 10}, -1))
        .hasMessage("the prior's weight in frames must be >= 0, got -1.0");
  }

  @Test
  void misuseIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> new SpeakerStatistics(2).mean()).hasMessage("no frame of speech has been added");
    assertThatThrownBy(() -> new SpeakerStatistics(2).add(new float[3]))
        .hasMessage("a matrix of 3 values is not whole frames of 2 coefficients");
    assertThatThrownBy(() -> new SpeakerStatistics(0)).hasMessage("coefficients must be >= 1, got 0");
  }
}
