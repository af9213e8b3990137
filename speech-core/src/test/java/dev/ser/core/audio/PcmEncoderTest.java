package dev.ser.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ser.schemas.SampleEncoding;
import org.junit.jupiter.api.Test;

class PcmEncoderTest {

  /** Every code word decodes to a value that encodes back to the same code word (G.711 is exact on its grid). */
  @Test
  void g711CodeWordsRoundTrip() {
    for (int code = 0; code < 256; code++) {
      int mu = PcmEncoder.linearToMuLaw(G711.muLawToLinear(code));
      if (code != 0x7f) { // mu-law has two zeros; 0 encodes as 0xff
        assertThat(mu).as("mu-law %02x", code).isEqualTo(code);
      }
      assertThat(PcmEncoder.linearToALaw(G711.aLawToLinear(code))).as("A-law %02x", code).isEqualTo(code);
    }
    assertThat(PcmEncoder.linearToMuLaw(0)).isEqualTo(0xff);
  }

  @Test
  void encodeThenDecodeStaysWithinTheQuantisationStep() {
    float[] x = new float[2000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.9 * Math.sin(i * 0.013) * Math.cos(i * 0.0007));
    }
    float[] pcm = PcmDecoder.decode(SampleEncoding.PCM_S16LE, PcmEncoder.encode(SampleEncoding.PCM_S16LE, x));
    float[] flt = PcmDecoder.decode(SampleEncoding.FLOAT32_LE, PcmEncoder.encode(SampleEncoding.FLOAT32_LE, x));
    float[] mu = PcmDecoder.decode(SampleEncoding.MULAW, PcmEncoder.encode(SampleEncoding.MULAW, x));
    float[] a = PcmDecoder.decode(SampleEncoding.ALAW, PcmEncoder.encode(SampleEncoding.ALAW, x));
    for (int i = 0; i < x.length; i++) {
      assertThat(pcm[i]).isCloseTo(x[i], within(0.5f / 32768 + 1e-7f));
      assertThat(flt[i]).isEqualTo(x[i]);
      // logarithmic companding: the step grows with the magnitude, at most 1/16 of it plus the bias
      assertThat(mu[i]).isCloseTo(x[i], within(Math.abs(x[i]) / 16 + 4e-3f));
      assertThat(a[i]).isCloseTo(x[i], within(Math.abs(x[i]) / 16 + 4e-3f));
    }
    assertThat(PcmEncoder.encode(SampleEncoding.PCM_S16LE, new float[] {2f, -2f}))
        .containsExactly(0xff, 0x7f, 0x00, 0x80);
  }
}
