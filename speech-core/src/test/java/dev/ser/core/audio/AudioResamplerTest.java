package dev.ser.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AudioResamplerTest {

  static float[] sine(double hz, int rate, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return x;
  }

  /** Largest error against the ideal sine at the new rate, away from the edges. */
  static double worstError(float[] y, double hz, int rate) {
    double worst = 0;
    for (int i = 200; i < y.length - 200; i++) {
      worst = Math.max(worst, Math.abs(y[i] - 0.5 * Math.sin(2 * Math.PI * hz * i / rate)));
    }
    return worst;
  }

  @Test
  void downsamplingKeepsAnInBandToneInPlace() {
    float[] y = AudioResampler.resample(sine(440, 22050, 44100), 22050, 8000);
    assertThat(y).hasSize(16000);
    // no delay and no gain change: the tone lines up with the ideal one at 8 kHz
    assertThat(worstError(y, 440, 8000)).isLessThan(2e-3);
  }

  @Test
  void upsamplingToo() {
    float[] y = AudioResampler.resample(sine(1000, 8000, 8000), 8000, 16000);
    assertThat(y).hasSize(16000);
    assertThat(worstError(y, 1000, 16000)).isLessThan(2e-3);
  }

  @Test
  void lengthIsTheCeilingOfTheRatio() {
    assertThat(AudioResampler.resample(new float[1001], 22050, 16000)).hasSize(727); // 1001*16000/22050 = 726.3
    assertThat(AudioResampler.resample(new float[0], 22050, 16000)).isEmpty();
  }

  @Test
  void toneAboveTheNewNyquistIsRemoved() {
    float[] y = AudioResampler.resample(sine(6000, 22050, 22050), 22050, 8000);
    double peak = 0;
    for (int i = 200; i < y.length - 200; i++) {
      peak = Math.max(peak, Math.abs(y[i]));
    }
    assertThat(peak).isLessThan(0.01); // would alias to 2 kHz at 0.5 without the low-pass
  }

  /** The cached filter prototype is copied, never used: every call gives the result of a fresh resampler. */
  @Test
  void repeatedCallsAreIdenticalToAFreshResampler() {
    float[] x = new float[12_345];
    java.util.Random random = new java.util.Random(4);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * random.nextGaussian());
    }
    double factor = 22050.0 / 8000;
    be.tarsos.dsp.resample.Resampler fresh = new be.tarsos.dsp.resample.Resampler(true, factor, factor);
    int expected = (int) Math.ceil(x.length * factor);
    float[] reference = new float[expected + 64];
    int consumed = 0;
    int produced = 0;
    while (produced < reference.length) {
      be.tarsos.dsp.resample.Resampler.Result r = fresh.process(factor, x, consumed, x.length - consumed, true,
          reference, produced, reference.length - produced);
      consumed += r.inputSamplesConsumed;
      produced += r.outputSamplesGenerated;
      if (r.inputSamplesConsumed == 0 && r.outputSamplesGenerated == 0) {
        break;
      }
    }
    float[] first = AudioResampler.resample(x, 8000, 22050);
    float[] second = AudioResampler.resample(x, 8000, 22050);
    assertThat(first).containsExactly(java.util.Arrays.copyOf(reference, expected));
    assertThat(second).containsExactly(first);
  }

  @Test
  void ratesOutsideTheRangeAreRefused() {
    assertThatThrownBy(() -> AudioResampler.resample(new float[10], 0, 16000))
        .isInstanceOf(AudioFormatException.class)
        .hasMessage("sample rate 0 Hz is outside the supported range 4000..192000 Hz");
    assertThatThrownBy(() -> AudioResampler.resample(new float[10], 16000, 10_000_000))
        .hasMessageContaining("10000000 Hz");
  }
}
