package dev.ser.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.audio.AudioResampler;
import dev.ser.core.audio.DecodedAudio;
import dev.ser.core.audio.WavFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reference vector under {@code ../shared/reference/librosa-mfcc}; skipped when that folder
 * is absent (a clone without shared/). Also measures, without asserting parity, how far the
 * end-to-end result of the resampling configs is from librosa's, since TarsosDSP is not soxr:
 * the figures in the module README come from {@link #endToEndDistanceOfResamplingConfigs()}.
 */
@EnabledIf("sharedPresent")
class SharedLibrosaParityTest {

  static boolean sharedPresent() {
    return ReferenceVectors.shared().isPresent();
  }

  static Stream<ReferenceVectors.Entry> allEntries() {
    Path root = ReferenceVectors.shared().orElseThrow();
    return LibrosaParityTest.CONFIGS.stream().flatMap(c -> ReferenceVectors.entries(root, c).stream());
  }

  @Test
  void theFullSetIsThere() {
    assertThat(allEntries().filter(e -> e.config().equals("librosa-default"))).hasSize(45);
    assertThat(allEntries()).hasSize(45 + 40 + 40 + 40);
  }

  private static final Map<String, Double> WORST_BY_CONFIG = new ConcurrentSkipListMap<>();

  @ParameterizedTest(name = "{0}")
  @MethodSource("allEntries")
  void mfccStageMatchesLibrosa(ReferenceVectors.Entry entry) throws Exception {
    MfccMatrix actual = new MfccExtractor(FeatureConfig.preset(entry.config())).extract(entry.mfccStageInput());
    double diff = ReferenceVectors.maxAbsDiff(actual, entry.expectedMfcc());
    WORST_BY_CONFIG.merge(entry.config(), diff, Math::max);
    assertThat(diff).as(entry.toString()).isLessThanOrEqualTo(LibrosaParityTest.TOLERANCE);
  }

  @AfterAll
  static void printWorstDifferences() {
    WORST_BY_CONFIG.forEach((config, worst) -> System.out.printf("MFCC stage %s: max |diff| %.2e%n", config, worst));
  }

  @Test
  void endToEndDistanceOfResamplingConfigs() throws Exception {
    Path root = ReferenceVectors.shared().orElseThrow();
    for (String config : List.of("paper-16k", "telephony-8k")) {
      FeatureConfig fc = FeatureConfig.preset(config);
      MfccExtractor extractor = new MfccExtractor(fc);
      List<Double> maxDiffs = new ArrayList<>();
      double sumAbs = 0;
      long count = 0;
      double worstLowOrder = 0;
      for (ReferenceVectors.Entry e : ReferenceVectors.entries(root, config)) {
        DecodedAudio wav = WavFile.read(e.inputWav());
        float[] resampled = AudioResampler.resample(wav.channel(0), wav.sampleRate(), fc.sampleRate());
        MfccMatrix actual = extractor.extract(resampled);
        MfccMatrix expected = e.expectedMfcc();
        maxDiffs.add(ReferenceVectors.maxAbsDiff(actual, expected));
        for (int i = 0; i < actual.data().length; i++) {
          double d = Math.abs(actual.data()[i] - expected.data()[i]);
          sumAbs += d;
          count++;
          if (i % 39 < 13) {
            worstLowOrder = Math.max(worstLowOrder, d);
          }
        }
      }
      maxDiffs.sort(null);
      System.out.printf("end-to-end %s over %d files: max |diff| median %.3f, worst %.3f; mean |diff| %.4f;"
              + " worst in c0..c12 %.3f%n", config, maxDiffs.size(), maxDiffs.get(maxDiffs.size() / 2),
          maxDiffs.get(maxDiffs.size() - 1), sumAbs / count, worstLowOrder);
      // Not parity: a regression guard a little above what TarsosDSP's resampler gives today (1.21, 1.06).
      assertThat(sumAbs / count).as(config + " mean |diff|").isLessThan(1.5);
    }
  }
}
