package dev.ser.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class FeatureConfigTest {

  @Test
  void presetsMatchTheReferenceManifests() {
    assertThat(FeatureConfig.presetsByName()).containsOnlyKeys("librosa-default", "timnet-emodb", "paper-16k", "telephony-8k");
    FeatureConfig timnet = FeatureConfig.preset("timnet-emodb");
    assertThat(timnet.fixedLength()).isEqualTo(96_000);
    assertThat(timnet.frameCount(44_100)).isEqualTo(188);
    FeatureConfig tel = FeatureConfig.preset("telephony-8k");
    assertThat(tel).isEqualTo(new FeatureConfig(8000, 512, 400, 100, WindowType.HAMMING, 40, 0, 4000, 80.0, 39, 0));
    assertThat(tel.frameCount(16_000)).isEqualTo(161);
  }

  @Test
  void jsonUsesLibrosaNamesAndRoundTrips() {
    FeatureConfig c = FeatureConfig.preset("paper-16k");
    String json = c.toJson();
    assertThat(json).contains("\"sample_rate\" : 16000", "\"window\" : \"hamming\"", "\"top_db\" : 80.0",
        "\"fixed_length\" : 0");
    assertThat(FeatureConfig.fromJson(json)).isEqualTo(c);
  }

  @Test
  void topDbNullMeansNoFloor() {
    String json = FeatureConfig.preset("librosa-default").toJson().replace("80.0", "null");
    FeatureConfig c = FeatureConfig.fromJson(json);
    assertThat(c.topDb()).isNull();
    // without the floor, the quiet padding of a 1 s tone goes down to -100 dB instead of max-80
    float[] x = new float[22050];
    for (int i = 5000; i < 6000; i++) {
      x[i] = (float) Math.sin(i * 0.1);
    }
    float floored = new MfccExtractor(FeatureConfig.preset("librosa-default")).extract(x).get(43, 0);
    float unfloored = new MfccExtractor(c).extract(x).get(43, 0);
    assertThat(unfloored).isLessThan(floored);
    assertThat((double) unfloored).isCloseTo(-100 * Math.sqrt(128), org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void badJsonIsExplained() {
    String json = FeatureConfig.preset("librosa-default").toJson();
    assertThatThrownBy(() -> FeatureConfig.fromJson(json.replace("\"n_mfcc\" : 39,", "")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n_mfcc");
    assertThatThrownBy(() -> FeatureConfig.fromJson(json.replace("\"hann\"", "\"blackman\"")))
        .hasMessageContaining("unknown window \"blackman\"; expected hann or hamming");
    assertThatThrownBy(() -> FeatureConfig.fromJson(json.replace("\"fmax\" : 11025.0", "\"fmax\" : 20000.0")))
        .hasMessage("invalid feature config: fmax must be at most sample_rate/2 = 11025.0, got 20000.0");
    assertThatThrownBy(() -> FeatureConfig.fromJson(json.replace("{", "{\"nfft\": 3,")))
        .hasMessageContaining("nfft");
    assertThatThrownBy(() -> FeatureConfig.preset("cd-quality"))
        .hasMessage("unknown feature preset \"cd-quality\"; known: librosa-default, timnet-emodb, paper-16k, telephony-8k");
  }

  @Test
  void javaSerializationRoundTrips() throws Exception {
    FeatureConfig c = FeatureConfig.preset("timnet-emodb");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(c);
    }
  }

  @Test
  void padOrCropIsCentredLikeTimNet() {
    float[] x = {1, 2, 3};
    assertThat(FixedLength.padOrCrop(x, 6)).containsExactly(0, 1, 2, 3, 0, 0);
    assertThat(FixedLength.padOrCrop(new float[] {1, 2, 3, 4, 5}, 2)).containsExactly(2, 3);
  }
}
