package dev.ser.core.audio;

/**
 * ITU-T G.711 mu-law and A-law expansion to linear samples, written from the recommendation's
 * segment tables. Decoding goes through 256-entry tables computed once.
 */
final class G711 {

  /** Linear value of each mu-law byte, scaled so that 16-bit full scale (32768) is 1.0. */
  static final float[] MULAW = new float[256];
  /** Linear value of each A-law byte, same scale. */
  static final float[] ALAW = new float[256];

  static {
    for (int b = 0; b < 256; b++) {
      MULAW[b] = muLawToLinear(b) / 32768f;
      ALAW[b] = aLawToLinear(b) / 32768f;
    }
  }

  private G711() {}

  /** 16-bit linear value of a mu-law code word (range -32124..32124). */
  static int muLawToLinear(int code) {
    int u = ~code & 0xff; // code words are transmitted inverted
    int exponent = (u >> 4) & 0x07;
    int mantissa = u & 0x0f;
    // the bias 0x84 (132) makes every segment start at a power of two
    int magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    return (u & 0x80) != 0 ? -magnitude : magnitude;
  }

  /** 16-bit linear value of an A-law code word (range -32256..32256). */
  static int aLawToLinear(int code) {
    int a = (code ^ 0x55) & 0xff; // even bits are transmitted inverted
    int exponent = (a >> 4) & 0x07;
    int mantissa = a & 0x0f;
    int magnitude = exponent == 0
        ? (mantissa << 4) + 8
        : ((mantissa << 4) + 0x108) << (exponent - 1);
    // in A-law a set sign bit means positive
    return (a & 0x80) != 0 ? magnitude : -magnitude;
  }
}
