package dev.ser.core.audio;

import dev.ser.schemas.SampleEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The inverse of {@link PcmDecoder}: float samples in [-1, 1] to an {@code AudioChunk} payload.
 * Used by the replay tool and the load generator to produce what a telephony platform would send.
 * Values outside [-1, 1] are clipped.
 */
public final class PcmEncoder {

  private PcmEncoder() {}

  public static byte[] encode(SampleEncoding encoding, float[] samples, int offset, int length) {
    int width = PcmDecoder.bytesPerSample(encoding);
    ByteBuffer out = ByteBuffer.allocate(length * width).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = offset; i < offset + length; i++) {
      float v = samples[i];
      switch (encoding) {
        case PCM_S16LE -> out.putShort((short) toPcm16(v));
        case FLOAT32_LE -> out.putFloat(Math.max(-1f, Math.min(1f, v)));
        case MULAW -> out.put((byte) linearToMuLaw(toPcm16(v)));
        case ALAW -> out.put((byte) linearToALaw(toPcm16(v)));
        default -> throw new AssertionError(encoding); // bytesPerSample refused it
      }
    }
    return out.array();
  }

  public static byte[] encode(SampleEncoding encoding, float[] samples) {
    return encode(encoding, samples, 0, samples.length);
  }

  private static int toPcm16(float v) {
    return (int) Math.max(-32768, Math.min(32767, Math.round(v * 32768.0)));
  }

  /** G.711 mu-law code word of a 16-bit linear sample. */
  static int linearToMuLaw(int sample) {
    int sign = sample < 0 ? 0x80 : 0;
    int magnitude = Math.min(Math.abs(sample), 32635) + 0x84; // bias: segments start at powers of two
    int exponent = 7;
    for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) {
      exponent--;
    }
    int mantissa = (magnitude >> (exponent + 3)) & 0x0f;
    return ~(sign | (exponent << 4) | mantissa) & 0xff;
  }

  /** G.711 A-law code word of a 16-bit linear sample. */
  static int linearToALaw(int sample) {
    int sign = sample >= 0 ? 0x80 : 0;
    int magnitude = Math.min(Math.abs(sample), 32767) >> 3; // A-law quantises 13 bits
    int code;
    if (magnitude < 32) {
      code = magnitude >> 1;
    } else {
      int exponent = 31 - Integer.numberOfLeadingZeros(magnitude) - 4; // 1..7
      code = (exponent << 4) | ((magnitude >> exponent) & 0x0f);
    }
    return (sign | code) ^ 0x55;
  }
}
