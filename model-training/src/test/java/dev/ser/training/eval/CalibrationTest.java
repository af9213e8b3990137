package dev.ser.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibrationTest {

  @Test
  void theFittedTemperatureRecoversTheOneThatMadeTheData() {
    // logits of a perfectly calibrated model, then sharpened 3x: the fit must undo the 3
    Random r = new Random(1);
    int n = 4000;
    float[][] sharpened = new float[n][];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      float[] logits = new float[4];
      for (int k = 0; k < 4; k++) {
        logits[k] = (float) (2 * r.nextGaussian());
      }
      float[] p = logits.clone();
      Calibration.softmaxInPlace(p, 1);
      double u = r.nextDouble();
      int y = 0;
      for (double c = p[0]; c < u && y < 3; c += p[++y]) {
        // draw the class from the calibrated probabilities
      }
      truth[i] = y;
      sharpened[i] = new float[4];
      for (int k = 0; k < 4; k++) {
        sharpened[i][k] = 3 * logits[k];
      }
    }
    double t = Calibration.fitTemperature(sharpened, truth);
    assertThat(t).isCloseTo(3.0, within(0.2));
    double before = Calibration.expectedCalibrationError(Calibration.probabilities(sharpened, 1), truth);
    double after = Calibration.expectedCalibrationError(Calibration.probabilities(sharpened, t), truth);
    assertThat(before).isGreaterThan(0.1);
    assertThat(after).isLessThan(0.03);
    assertThat(Calibration.negativeLogLikelihood(sharpened, truth, t))
        .isLessThan(Calibration.negativeLogLikelihood(sharpened, truth, 1));
  }

  @Test
  void reliabilityBinsAndEceByHand() {
    float[][] p = {{0.95f, 0.05f}, {0.85f, 0.15f}, {0.15f, 0.85f}, {0.55f, 0.45f}};
    int[] truth = {0, 1, 1, 0};
    double[][] bins = Calibration.reliability(p, truth);
    assertThat(bins[9]).containsExactly(1, 0.95f, 1.0); // confidence as float, widened
    assertThat(bins[8][0]).isEqualTo(2);
    assertThat(bins[8][2]).isEqualTo(0.5);
    assertThat(bins[5][0]).isEqualTo(1);
    assertThat(bins[0][0]).isZero();
    // |1 - .95| * 1/4 + |.5 - .85| * 2/4 + |1 - .55| * 1/4
    double ece = (1 - 0.95f) / 4.0 + Math.abs(0.5 - (0.85f + 0.85f) / 2) / 2 + (1 - 0.55f) / 4.0;
    assertThat(Calibration.expectedCalibrationError(p, truth)).isCloseTo(ece, within(1e-9));
  }
}
