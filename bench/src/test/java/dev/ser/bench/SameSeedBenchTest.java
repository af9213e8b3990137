package dev.ser.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SameSeedBenchTest {

  @Test
  void theFingerprintIsTheSha256OfEveryValuesBitsInOrder() {
    // SHA-256 of the bytes 3f 80 00 00 (1.0f's bits, big-endian), as `printf '\x3f\x80\x00\x00' | sha256sum` gives
    assertThat(SameSeedBench.fingerprint(List.of(new float[] {1f})))
        .isEqualTo("de620abd6d3615746360c1d15ce3a56291236d37424124054a49d25e947ffc4d");
  }

  @Test
  void oneBitOrTheOrderOfParametersChangesIt() {
    float a = 0.1f;
    float b = Float.intBitsToFloat(Float.floatToRawIntBits(a) + 1); // the next float: one bit apart
    String base = SameSeedBench.fingerprint(List.of(new float[] {a, 2f}, new float[] {3f}));
    assertThat(SameSeedBench.fingerprint(List.of(new float[] {a, 2f}, new float[] {3f}))).isEqualTo(base);
    assertThat(SameSeedBench.fingerprint(List.of(new float[] {b, 2f}, new float[] {3f}))).isNotEqualTo(base);
    assertThat(SameSeedBench.fingerprint(List.of(new float[] {3f}, new float[] {a, 2f}))).isNotEqualTo(base);
    // -0 and +0 compare equal as floats but are different bits: a fingerprint of bits tells them apart
    assertThat(SameSeedBench.fingerprint(List.of(new float[] {0f})))
        .isNotEqualTo(SameSeedBench.fingerprint(List.of(new float[] {-0f})));
  }
}
