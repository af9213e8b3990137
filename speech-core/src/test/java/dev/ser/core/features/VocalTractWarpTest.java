package dev.ser.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Vocal tract length perturbation: the mel filters read a warped frequency axis. */
class VocalTractWarpTest {

  static final FeatureConfig CONFIG = FeatureConfig.preset("timnet-emodb");

  @Test
  void theWarpIsLinearBelowItsBoundaryAndKeepsNyquist() {
    double nyquist = 11_025;
    assertThat(MelFilterbank.warp(1.1, 1000, nyquist)).isEqualTo(1100, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(MelFilterbank.warp(0.9, 1000, nyquist)).isEqualTo(900, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(MelFilterbank.warp(1.1, nyquist, nyquist)).isEqualTo(nyquist, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(MelFilterbank.warp(0.9, nyquist, nyquist)).isEqualTo(nyquist, org.assertj.core.data.Offset.offset(1e-9));
    // continuous at the boundary (80 % of Nyquist, scaled down for factors above 1)
    double b = 0.8 * nyquist / 1.1;
    assertThat(MelFilterbank.warp(1.1, b + 1e-6, nyquist)).isCloseTo(1.1 * b, org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void factorOneIsThePlainFilterbankBitForBit() {
    float[] x = MfccExtractorTest.noise(44_100, 3);
    assertThat(MfccExtractor.warped(CONFIG, 1.0).extract(x).data()).isEqualTo(new MfccExtractor(CONFIG).extract(x).data());
  }

  @Test
  void aFactorAboveOneMovesATonesEnergyToAHigherBand() {
    // reading f as 1.1 f, a 2 kHz tone lands where 2.2 kHz would: in the band centred nearer 2.2 kHz
    double[] power = new double[CONFIG.nFft() / 2 + 1];
    int bin = (int) Math.round(2000.0 * CONFIG.nFft() / CONFIG.sampleRate());
    power[bin] = 1;
    double[] plain = new double[CONFIG.nMels()];
    double[] warped = new double[CONFIG.nMels()];
    MelFilterbank.of(CONFIG).apply(power, plain, 0);
    MelFilterbank.warped(CONFIG, 1.1).apply(power, warped, 0);
    assertThat(argmax(warped)).isGreaterThan(argmax(plain));
    MelFilterbank.warped(CONFIG, 0.9).apply(power, warped, 0);
    assertThat(argmax(warped)).isLessThan(argmax(plain));
  }

  @Test
  void anImplausibleFactorIsRefused() {
    assertThatThrownBy(() -> MelFilterbank.warped(CONFIG, 3.0)).hasMessage("warp factor must be in [0.5, 2], got 3.0");
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
