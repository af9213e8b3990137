package dev.ser.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** The simulated line: the band's response, the codec, the lost packets, in that order, and its cache key. */
class TelephoneLineTest {

  static float[] sine(double hz, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / 8000.0));
    }
    return x;
  }

  static double rms(float[] x, int from) {
    double s = 0;
    for (int i = from; i < x.length; i++) {
      s += (double) x[i] * x[i];
    }
    return Math.sqrt(s / (x.length - from));
  }

  @Test
  void theBandIsTwoButterworthSectionsMinusThreeDecibelsAtTheirEdges() {
    double[] hp = TelephoneLine.highPass(300, 8000);
    double[] lp = TelephoneLine.lowPass(3400, 8000);
    assertThat(TelephoneLine.gain(hp, 300, 8000)).isCloseTo(Math.sqrt(0.5), offset(1e-12));
    assertThat(TelephoneLine.gain(lp, 3400, 8000)).isCloseTo(Math.sqrt(0.5), offset(1e-12));
    assertThat(TelephoneLine.gain(lp, 4000, 8000)).as("a zero at Nyquist").isCloseTo(0, offset(1e-12));
    TelephoneLine band = new TelephoneLine(TelephoneChannel.NONE, true, 0);
    for (double hz : new double[] {100, 300, 1000, 3400, 3800}) {
      double expected = TelephoneLine.gain(hp, hz, 8000) * TelephoneLine.gain(lp, hz, 8000);
      float[] x = sine(hz, 16000);
      // steady state: after the first second, the output's level is the response times the input's
      assertThat(rms(band.apply(x, "c"), 8000) / rms(x, 8000)).as(hz + " Hz").isCloseTo(expected, offset(2e-3));
    }
    assertThat(20 * Math.log10(TelephoneLine.gain(hp, 100, 8000))).as("100 Hz, dB").isLessThan(-18);
    assertThat(20 * Math.log10(TelephoneLine.gain(hp, 1000, 8000) * TelephoneLine.gain(lp, 1000, 8000)))
        .as("1 kHz, dB").isCloseTo(0, offset(0.1));
  }

  @Test
  void lostPacketsAreWholeTwentyMillisecondFramesOfSilenceTheSameForAClipEveryTime() {
    TelephoneLine lossy = new TelephoneLine(TelephoneChannel.NONE, false, 0.1);
    float[] x = sine(440, 160 * 1000);
    float[] y = lossy.apply(x, "03a01Fa.wav");
    assertThat(lossy.apply(x, "03a01Fa.wav")).containsExactly(y);
    assertThat(lossy.apply(x, "03a01Nc.wav")).isNotEqualTo(y);
    int lost = 0;
    for (int p = 0; p < 1000; p++) {
      boolean silent = true;
      boolean kept = true;
      for (int i = p * 160; i < (p + 1) * 160; i++) {
        silent &= y[i] == 0f;
        kept &= y[i] == x[i];
      }
      assertThat(silent || kept).as("packet %d is lost whole or kept whole", p).isTrue();
      lost += silent ? 1 : 0;
    }
    // binomial(1000, 0.1): 100 expected, sd 9.5
    assertThat(lost).isBetween(70, 130);
    assertThat(x[0]).as("the input is not changed").isEqualTo(0f);
    assertThat(x[1]).isNotEqualTo(0f);
  }

  @Test
  void theOrderIsBandThenCodecThenLossAndTheCacheKeyOfACodecAloneIsAsBefore() {
    float[] x = sine(1000, 8000);
    TelephoneLine all = new TelephoneLine(TelephoneChannel.MULAW, true, 0.2);
    float[] banded = new TelephoneLine(TelephoneChannel.NONE, true, 0).apply(x, "k");
    float[] coded = TelephoneChannel.MULAW.apply(banded);
    float[] y = all.apply(x, "k");
    for (int i = 0; i < x.length; i++) {
      assertThat(y[i]).isIn(coded[i], 0f);
    }
    assertThat(TelephoneLine.NONE.cacheKey()).isEmpty();
    assertThat(TelephoneLine.NONE.apply(x, "k")).isSameAs(x);
    assertThat(new TelephoneLine(TelephoneChannel.MULAW, false, 0).cacheKey()).isEqualTo("|MULAW");
    assertThat(all.cacheKey()).isEqualTo("|MULAW|bandpass-300-3400|loss-0.2");
    assertThatThrownBy(() -> new TelephoneLine(TelephoneChannel.NONE, false, 0.9))
        .hasMessage("--telephone-packet-loss must be a probability in 0..0.5, got 0.9");
  }
}
