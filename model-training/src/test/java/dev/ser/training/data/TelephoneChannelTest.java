package dev.ser.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.audio.PcmDecoder;
import dev.ser.core.audio.PcmEncoder;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MelFilterbank;
import dev.ser.schemas.SampleEncoding;
import dev.ser.training.Samples;
import dev.ser.training.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Training audio through G.711 as the job decodes it, and the narrowband features it goes with. */
class TelephoneChannelTest {

  static float[] sine(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 8000.0));
    }
    return x;
  }

  @Test
  void muLawAndALawAreTheJobsOwnCodecRoundTrip() {
    float[] x = sine(8000);
    for (TelephoneChannel c : new TelephoneChannel[] {TelephoneChannel.MULAW, TelephoneChannel.ALAW}) {
      SampleEncoding codec = c == TelephoneChannel.MULAW ? SampleEncoding.MULAW : SampleEncoding.ALAW;
      float[] y = c.apply(x);
      assertThat(y).containsExactly(PcmDecoder.decode(codec, PcmEncoder.encode(codec, x)));
      double maxError = 0;
      boolean changed = false;
      for (int i = 0; i < x.length; i++) {
        maxError = Math.max(maxError, Math.abs(x[i] - y[i]));
        changed |= x[i] != y[i];
      }
      assertThat(changed).as(c + " quantises").isTrue();
      // 8-bit companding: steps of at most 1/32 of full scale near 0.5
      assertThat(maxError).as(c.name()).isLessThan(0.02);
    }
    assertThat(TelephoneChannel.NONE.apply(x)).isSameAs(x);
  }

  @Test
  void aTelephoneLineNeedsEightKilohertzFeatures() {
    assertThatThrownBy(() -> new TelephoneLine(TelephoneChannel.MULAW, false, 0).checkRate(22050))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the simulated telephone line is 8 kHz; the feature configuration is at 22050 Hz (use an 8 kHz one,"
            + " e.g. model-training/features/telephony-8k-emodb.json)");
    assertThatThrownBy(() -> new TelephoneLine(TelephoneChannel.NONE, true, 0).checkRate(16000))
        .hasMessageStartingWith("the simulated telephone line is 8 kHz");
    TelephoneLine.NONE.checkRate(22050);
    assertThatThrownBy(() -> TelephoneChannel.parse("gsm")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--telephone-channel must be none, mulaw or alaw, got gsm");
    assertThat(TelephoneChannel.parse("MuLaw")).isEqualTo(TelephoneChannel.MULAW);
  }

  /**
   * The narrowband features sit on the wideband model's frame grid (23.25 ms hop, 4.35 s, 188 frames
   * of 39 coefficients), so the narrowband model is the same network at the same cost per utterance;
   * 80 mel bands up to 4 kHz are as dense as the wideband's 128 up to 11 kHz below 4 kHz, none empty.
   */
  @Test
  void theNarrowbandFeaturesHaveTheWidebandModelsShapeAndNoEmptyMelBand() throws Exception {
    Path file = Samples.emodb().getParent().resolveSibling("model-training/features/telephony-8k-emodb.json");
    FeatureConfig narrow = FeatureConfig.fromJson(Files.readString(file));
    FeatureConfig wide = FeatureConfig.preset("timnet-emodb");
    assertThat(narrow.frameCount(0)).isEqualTo(wide.frameCount(0)).isEqualTo(188);
    assertThat(narrow.nMfcc()).isEqualTo(wide.nMfcc());
    assertThat(ModelConfig.blocksFor(narrow.frameCount(0))).isEqualTo(ModelConfig.blocksFor(wide.frameCount(0)));
    assertThat((double) narrow.fixedLength() / narrow.sampleRate())
        .isCloseTo((double) wide.fixedLength() / wide.sampleRate(), org.assertj.core.data.Offset.offset(1e-3));
    double[][] bands = MelFilterbank.of(narrow).dense();
    assertThat(bands.length).isEqualTo(80);
    for (int m = 0; m < bands.length; m++) {
      assertThat(java.util.Arrays.stream(bands[m]).max().orElse(0)).as("mel band %d", m).isGreaterThan(0);
    }
  }
}
