package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingRecipeTest {

  private static TrainingOptions cosine(int epochs, int warmup, float averageFrom) {
    return new TrainingOptions(epochs, 64, 0.001f, 0.93f, 0.98f, 1e-8f, 0.1f, 1, TrainingOptions.Initialization.KERAS,
        TrainingOptions.Schedule.WARMUP_COSINE, warmup, 0.00001f, averageFrom, Augmentation.NONE, 10);
  }

  @Test
  void warmUpThenCosineDecayToTheMinimum() {
    TrainingOptions o = cosine(10, 2, 1f);
    int steps = 4; // 40 updates, 8 of warm-up
    assertThat(o.learningRateAt(0, steps)).isEqualTo(0.001f / 8);
    assertThat(o.learningRateAt(7, steps)).isEqualTo(0.001f);
    assertThat(o.learningRateAt(8, steps)).isEqualTo(0.001f); // cosine starts at the peak
    assertThat((double) o.learningRateAt(39, steps)).isCloseTo(0.00001, within(1e-9)); // the last update: the minimum
    // halfway through the decay: the mean of peak and minimum
    assertThat((double) cosine(10, 0, 1f).learningRateAt(0, 1)).isCloseTo(0.001, within(1e-9));
    TrainingOptions noWarmup = cosine(11, 0, 1f);
    assertThat((double) noWarmup.learningRateAt(5, 1)).isCloseTo((0.001 + 0.00001) / 2, within(1e-9));
    assertThat(TrainingOptions.reference(5).learningRateAt(17, 3)).isEqualTo(0.001f);
  }

  @Test
  void averagingWindowAndValidation() {
    assertThat(cosine(200, 5, 0.75f).firstAveragedEpoch()).isEqualTo(151);
    assertThat(cosine(200, 5, 0.75f).averaging()).isTrue();
    assertThat(cosine(200, 5, 1f).averaging()).isFalse();
    assertThatThrownBy(() -> cosine(10, 10, 1f)).hasMessageContaining("warm-up epochs must be in [0, epochs)");
    assertThatThrownBy(() -> cosine(10, 1, 0f)).hasMessageContaining("average-from");
  }

  @Test
  void shiftCopiesTheEdgeFramesAndMasksUseTheMean() {
    int frames = 6;
    int coefficients = 3;
    float[] x = new float[frames * coefficients];
    for (int t = 0; t < frames; t++) {
      for (int c = 0; c < coefficients; c++) {
        x[t * coefficients + c] = 10 * t + c;
      }
    }
    Augmentation shiftOnly = new Augmentation(2, 0, 0, 0, 0, 0f, 0f, 1f);
    // find a seed whose shift is +2: frames 0,1 copy frame 0, then frames 0..3
    for (long seed = 0; seed < 50; seed++) {
      Random r = new Random(seed);
      r.nextFloat();
      int shift = r.nextInt(5) - 2;
      float[] y = shiftOnly.apply(x, frames, coefficients, new Random(seed));
      for (int t = 0; t < frames; t++) {
        int from = Math.max(0, Math.min(frames - 1, t - shift));
        assertThat(y[t * coefficients + 1]).isEqualTo(10 * from + 1);
      }
    }
    assertThat(x[coefficients]).isEqualTo(10f); // the input is not changed
    Augmentation timeMaskOnly = new Augmentation(0, 1, frames, 0, 0, 0f, 0f, 1f);
    float[] masked = timeMaskOnly.apply(x, frames, coefficients, new Random(4));
    int maskedFrames = 0;
    for (int t = 0; t < frames; t++) {
      if (masked[t * coefficients] != x[t * coefficients]) {
        assertThat(masked[t * coefficients]).isEqualTo(25f); // mean of 0, 10, ..., 50
        assertThat(masked[t * coefficients + 2]).isEqualTo(27f);
        maskedFrames++;
      }
    }
    assertThat(maskedFrames).isLessThanOrEqualTo(frames);
    Augmentation gainOnly = new Augmentation(0, 0, 0, 0, 0, 6f, 0f, 1f);
    float[] louder = gainOnly.apply(x, frames, coefficients, new Random(9));
    float offset = louder[0] - x[0];
    assertThat(Math.abs(offset)).isLessThanOrEqualTo(6f * (float) Math.sqrt(128) + 1e-3f);
    for (int t = 0; t < frames; t++) {
      assertThat(louder[t * coefficients]).isCloseTo(x[t * coefficients] + offset, within(1e-3f)); // c0 only
      assertThat(louder[t * coefficients + 1]).isEqualTo(x[t * coefficients + 1]);
    }
    assertThat(Augmentation.NONE.apply(x, frames, coefficients, new Random(1))).containsExactly(x);
  }

  @Test
  void vocalTractPerturbationPicksAWarpedVersionAtItsRate() {
    Augmentation a = new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f, 0.1f, 0.5f);
    assertThat(a.isNone()).isFalse();
    assertThat(a.vtlpFactors()).containsExactly(0.9, 0.95, 1.05, 1.1);
    float[] x = {0f};
    float[][] warped = {{1f}, {2f}, {3f}, {4f}};
    Random r = new Random(5);
    int[] picked = new int[5];
    for (int i = 0; i < 40_000; i++) {
      picked[(int) a.pick(x, warped, r)[0]]++;
    }
    assertThat(picked[0]).isBetween(19_500, 20_500); // the clip itself half the time
    for (int v = 1; v <= 4; v++) {
      assertThat(picked[v]).isBetween(4_700, 5_300); // each version an eighth
    }
    assertThat(Augmentation.NONE.vtlpFactors()).isEmpty();
    assertThat(Augmentation.NONE.pick(x, warped, r)).isSameAs(x);
  }

  @Test
  void speedPerturbationIsDrawnFirstThenWarping() {
    Augmentation a = new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f, 0.1f, 0.5f, 0.1f, 0.3f);
    assertThat(a.speedFactors()).containsExactly(0.9, 1.1);
    float[] x = {0f};
    float[][] versions = {{1f}, {2f}, {3f}, {4f}, {5f}, {6f}}; // four warped, then 0.9x and 1.1x
    Random r = new Random(5);
    int[] picked = new int[7];
    for (int i = 0; i < 100_000; i++) {
      picked[(int) a.pick(x, versions, r)[0]]++;
    }
    assertThat(picked[0]).isBetween(34_000, 36_000); // 0.7 x 0.5 of the clips stay as they are
    for (int v = 1; v <= 4; v++) {
      assertThat(picked[v]).isBetween(8_300, 9_200); // 0.7 x 0.5 / 4 each
    }
    assertThat(picked[5]).isBetween(14_400, 15_600); // 0.3 / 2 each
    assertThat(picked[6]).isBetween(14_400, 15_600);
    Augmentation speedOnly = new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f, 0f, 0f, 0.1f, 1f);
    assertThat(speedOnly.isNone()).isFalse();
    assertThat(speedOnly.hasVersions()).isTrue();
    assertThat(speedOnly.pick(x, new float[][] {{5f}, {6f}}, r)[0]).isIn(5f, 6f);
    // without speed perturbation, the same random draws as before it (a run resumed across builds)
    Augmentation vtlp = new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f, 0.1f, 0.5f);
    Random before = new Random(9);
    Random after = new Random(9);
    for (int i = 0; i < 100; i++) {
      float[] p = vtlp.pick(x, versions, after);
      float[] expected = before.nextFloat() >= 0.5f ? x : versions[before.nextInt(4)];
      assertThat(p).isSameAs(expected);
    }
  }

  @Test
  void withoutVocalTractPerturbationTheSettingsReadAsBefore() throws Exception {
    // records of runs from before it carry no vtlp fields; a run without it must compare equal to them
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.writeValueAsString(new Augmentation(20, 2, 12, 1, 4, 6f, 0f, 0.8f))).isEqualTo("{\"maxShiftFrames\":20,"
        + "\"timeMasks\":2,\"timeMaskWidth\":12,\"coefficientMasks\":1,\"coefficientMaskWidth\":4,\"gainDb\":6.0,"
        + "\"mixupAlpha\":0.0,\"probability\":0.8,\"none\":false}");
    assertThat(json.writeValueAsString(new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f, 0.1f, 0.5f)))
        .contains("\"probability\":0.0,\"vtlpMaxWarp\":0.1,\"vtlpProbability\":0.5")
        .doesNotContain("speed");
    assertThat(json.writeValueAsString(new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f, 0f, 0f, 0.1f, 0.3f)))
        .contains("\"speedMaxChange\":0.1,\"speedProbability\":0.3");
  }

  @Test
  void mixupWeightsFollowTheirBetaDistribution() {
    Augmentation a = new Augmentation(0, 0, 0, 0, 0, 0f, 0.4f, 0f);
    Random r = new Random(11);
    double sum = 0;
    double sumSq = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
      double w = a.mixupWeight(r);
      assertThat(w).isBetween(0.0, 1.0);
      sum += w;
      sumSq += w * w;
    }
    // Beta(0.4, 0.4): mean 0.5, variance ab / ((a+b)^2 (a+b+1)) = 0.16 / (0.64 * 1.8) = 0.1389
    assertThat(sum / n).isCloseTo(0.5, within(0.01));
    assertThat(sumSq / n - (sum / n) * (sum / n)).isCloseTo(0.1389, within(0.005));
    // mixing keeps each target row a distribution
    float[] inputs = {1, 1, 3, 3};
    float[] targets = {1, 0, 0, 1};
    MsSenetTrainer.mixup(inputs, targets, 2, 2, 2, a, new Random(2));
    assertThat(targets[0] + targets[1]).isCloseTo(1f, within(1e-6f));
    assertThat(inputs[0]).isCloseTo(1 + 2 * targets[1], within(1e-5f)); // the input mixed with the same weight
  }

  @Test
  void settingDifferencesAreNamed() throws Exception {
    ObjectMapper json = new ObjectMapper();
    var a = json.readTree("{\"training_options\":{\"epochs\":200,\"seed\":1},\"folds\":10}");
    var b = json.readTree("{\"training_options\":{\"epochs\":35,\"seed\":1},\"folds\":10}");
    assertThat(FoldRecord.difference(a, a, "")).isNull();
    assertThat(FoldRecord.difference(a, b, "")).isEqualTo("training_options.epochs: 200 now vs 35 in the record");
  }
}
