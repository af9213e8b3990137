package dev.ser.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MfccExtractorTest {

  static float[] noise(int n, long seed) {
    Random random = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.1 * random.nextGaussian());
    }
    return x;
  }

  @ParameterizedTest
  @ValueSource(strings = {"timnet-emodb", "telephony-8k"})
  void oneExtractorSharedByThreadsGivesTheSequentialResults(String preset) throws Exception {
    MfccExtractor extractor = new MfccExtractor(FeatureConfig.preset(preset));
    List<float[]> inputs = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      inputs.add(noise(20_000 + 997 * i, i));
      expected.add(extractor.extract(inputs.get(i)).data());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < inputs.size(); i++) {
          int k = i;
          results.add(pool.submit(() -> java.util.Arrays.equals(extractor.extract(inputs.get(k)).data(), expected.get(k))));
        }
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void frameCountFollowsLibrosaCentring() {
    MfccExtractor extractor = new MfccExtractor(FeatureConfig.preset("librosa-default"));
    assertThat(extractor.extract(new float[10]).frames()).isEqualTo(1);
    assertThat(extractor.extract(new float[511]).frames()).isEqualTo(1);
    assertThat(extractor.extract(new float[512]).frames()).isEqualTo(2);
    assertThat(extractor.extract(noise(44_100, 1)).frames()).isEqualTo(87);
  }

  @Test
  void emptyInputIsRefused() {
    assertThatThrownBy(() -> new MfccExtractor(FeatureConfig.preset("paper-16k")).extract(new float[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot compute MFCCs of an empty signal");
  }

  @ParameterizedTest
  @ValueSource(strings = {"timnet-emodb", "telephony-8k"})
  void paddingFramesAreTheSameCoefficientsAsOneTransformedAlone(String preset) {
    FeatureConfig config = FeatureConfig.preset(preset);
    MfccExtractor extractor = new MfccExtractor(config);
    // speech in the middle, digital silence on both sides: the silent frames are copies of one transform
    float[] x = new float[config.sampleRate() * 3];
    float[] speech = noise(config.sampleRate(), 5);
    System.arraycopy(speech, 0, x, config.sampleRate(), speech.length);
    MfccMatrix m = extractor.extract(x);
    float[] first = java.util.Arrays.copyOfRange(m.data(), 0, 39);
    float[] last = java.util.Arrays.copyOfRange(m.data(), (m.frames() - 1) * 39, m.frames() * 39);
    assertThat(last).containsExactly(first);
    // and what they hold is the floor in every band: a constant, whose orthonormal DCT is c0 alone
    assertThat(first[0]).isLessThan(-100f);
    for (int c = 1; c < 39; c++) {
      assertThat(Math.abs(first[c])).as("c%d of a silent frame", c).isLessThan(1e-3f);
    }
  }
}
