package dev.ser.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.SampleEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PcmDecoderTest {

  @Test
  void pcm16IsDividedBy32768() {
    byte[] payload = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putShort((short) 0).putShort((short) 16384).putShort(Short.MIN_VALUE).putShort(Short.MAX_VALUE).array();
    assertThat(PcmDecoder.decode(SampleEncoding.PCM_S16LE, payload))
        .containsExactly(0f, 0.5f, -1f, 32767 / 32768f);
  }

  @Test
  void float32IsTakenAsIs() {
    byte[] payload = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-1.5f).array();
    assertThat(PcmDecoder.decode(SampleEncoding.FLOAT32_LE, payload)).containsExactly(0.25f, -1.5f);
  }

  @Test
  void muLawFollowsG711() {
    // code words and their 16-bit values from the G.711 mu-law table
    assertThat(G711.muLawToLinear(0xFF)).isEqualTo(0);
    assertThat(G711.muLawToLinear(0x7F)).isEqualTo(0);
    assertThat(G711.muLawToLinear(0x80)).isEqualTo(32124);
    assertThat(G711.muLawToLinear(0x00)).isEqualTo(-32124);
    assertThat(G711.muLawToLinear(0xFE)).isEqualTo(8);
    assertThat(G711.muLawToLinear(0xF0)).isEqualTo(120);
    assertThat(G711.muLawToLinear(0xEF)).isEqualTo(132);
    assertThat(PcmDecoder.decode(SampleEncoding.MULAW, new byte[] {(byte) 0x80, (byte) 0xFF}))
        .containsExactly(32124 / 32768f, 0f);
  }

  @Test
  void aLawFollowsG711() {
    assertThat(G711.aLawToLinear(0xD5)).isEqualTo(8);
    assertThat(G711.aLawToLinear(0x55)).isEqualTo(-8);
    assertThat(G711.aLawToLinear(0xAA)).isEqualTo(32256);
    assertThat(G711.aLawToLinear(0x2A)).isEqualTo(-32256);
    assertThat(G711.aLawToLinear(0xC5)).isEqualTo(264); // segment 1 starts at 256 + 8
    assertThat(PcmDecoder.decode(SampleEncoding.ALAW, new byte[] {(byte) 0xAA})).containsExactly(32256 / 32768f);
  }

  @Test
  void bothCompandingLawsAreMonotonicAndSymmetric() {
    for (int code = 0; code < 256; code++) {
      // the sign bit alone flips the sign
      assertThat(G711.muLawToLinear(code ^ 0x80)).isEqualTo(-G711.muLawToLinear(code));
      assertThat(G711.aLawToLinear(code ^ 0x80)).isEqualTo(-G711.aLawToLinear(code));
    }
    for (int code = 1; code < 128; code++) {
      // mu-law 0x00..0x7F run from -32124 up to 0; A-law's magnitude grows with the de-inverted code
      assertThat(G711.muLawToLinear(code)).isGreaterThan(G711.muLawToLinear(code - 1));
      assertThat(G711.aLawToLinear((code ^ 0x55) | 0x80)).isGreaterThan(G711.aLawToLinear(((code - 1) ^ 0x55) | 0x80));
    }
  }

  @Test
  void oddByteCountsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> PcmDecoder.decode(SampleEncoding.PCM_S16LE, new byte[1001]))
        .isInstanceOf(AudioFormatException.class)
        .hasMessage("payload has 1001 bytes, PCM_S16LE needs a multiple of 2")
        .extracting(e -> ((AudioFormatException) e).reason()).isEqualTo(AudioFormatException.Reason.ODD_BYTE_COUNT);
    assertThatThrownBy(() -> PcmDecoder.decode(SampleEncoding.FLOAT32_LE, new byte[6]))
        .hasMessage("payload has 6 bytes, FLOAT32_LE needs a multiple of 4");
  }

  @Test
  void nonFiniteFloatsAreRefused() {
    byte[] payload = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(Float.NaN).array();
    assertThatThrownBy(() -> PcmDecoder.decode(SampleEncoding.FLOAT32_LE, payload))
        .isInstanceOf(AudioFormatException.class)
        .hasMessage("sample 1 of 2 is NaN; FLOAT32_LE samples must be finite");
  }

  @Test
  void unknownEncodingIsRefused() {
    assertThatThrownBy(() -> PcmDecoder.decode(SampleEncoding.UNKNOWN, new byte[2]))
        .isInstanceOf(AudioFormatException.class)
        .hasMessageContaining("unsupported sample encoding UNKNOWN");
  }

  @Test
  void decodesFromTheBufferPositionWithoutMovingIt() {
    ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 0, 0, 64});
    buffer.position(2);
    assertThat(PcmDecoder.decode(SampleEncoding.PCM_S16LE, buffer)).containsExactly(0.5f);
    assertThat(buffer.position()).isEqualTo(2);
  }
}
