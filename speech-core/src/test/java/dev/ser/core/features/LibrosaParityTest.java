package dev.ser.core.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MFCC parity with librosa 0.11.0 on the bundled subset of the reference vectors. For every
 * config the MFCC stage is fed the exact signal librosa got (the WAV for 22 050 Hz configs, the
 * stored soxr-resampled signal for the 16 and 8 kHz ones).
 */
class LibrosaParityTest {

  static final double TOLERANCE = 1e-3;
  static final List<String> CONFIGS = List.of("librosa-default", "timnet-emodb", "paper-16k", "telephony-8k");

  static Stream<ReferenceVectors.Entry> bundledEntries() {
    Path root = ReferenceVectors.bundled();
    return CONFIGS.stream().flatMap(c -> ReferenceVectors.entries(root, c).stream());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bundledEntries")
  void mfccStageMatchesLibrosa(ReferenceVectors.Entry entry) throws Exception {
    MfccMatrix expected = entry.expectedMfcc();
    MfccMatrix actual = new MfccExtractor(FeatureConfig.preset(entry.config())).extract(entry.mfccStageInput());
    assertThat(ReferenceVectors.maxAbsDiff(actual, expected)).as(entry.toString()).isLessThanOrEqualTo(TOLERANCE);
  }

  @Test
  void bundledSubsetCoversEveryConfigAndTheEdgeCases() {
    assertThat(bundledEntries().map(ReferenceVectors.Entry::toString)).contains(
        "librosa-default/synth-silence-1s", "librosa-default/synth-short10", "timnet-emodb/03a01Fa",
        "paper-16k/03a01Fa", "telephony-8k/03a01Fa");
  }

  @Test
  void silenceIsTheFloorInC0AndZeroElsewhere() {
    float[] silence = new float[22050];
    MfccMatrix m = new MfccExtractor(FeatureConfig.preset("librosa-default")).extract(silence);
    assertThat(m.frames()).isEqualTo(44);
    // every log-mel value is 10*log10(amin) = -100 dB; the ortho DCT of a constant is -100*sqrt(128) in c0
    assertThat((double) m.get(0, 0)).isCloseTo(-100 * Math.sqrt(128), org.assertj.core.data.Offset.offset(1e-3));
    assertThat((double) m.get(43, 5)).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9));
  }
}
