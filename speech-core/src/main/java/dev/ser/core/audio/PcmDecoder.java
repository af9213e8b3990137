package dev.ser.core.audio;

import dev.ser.core.audio.AudioFormatException.Reason;
import dev.ser.schemas.SampleEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes the payload of an {@code AudioChunk} (one channel, no header) into float samples in
 * [-1, 1]. PCM16 values are divided by 32768, as librosa and Python's {@code wave} reading do.
 */
public final class PcmDecoder {

  private PcmDecoder() {}

  /** Bytes one sample takes in the given encoding. */
  public static int bytesPerSample(SampleEncoding encoding) {
    switch (encoding) {
      case PCM_S16LE:
        return 2;
      case FLOAT32_LE:
        return 4;
      case MULAW:
      case ALAW:
        return 1;
      default:
        throw new AudioFormatException(Reason.UNSUPPORTED_FORMAT,
            "unsupported sample encoding " + encoding + "; expected PCM_S16LE, FLOAT32_LE, MULAW or ALAW");
    }
  }

  /** Decodes all of {@code payload} (from its position to its limit; the buffer is not moved). */
  public static float[] decode(SampleEncoding encoding, ByteBuffer payload) {
    ByteBuffer in = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int bytes = in.remaining();
    int width = bytesPerSample(encoding);
    if (bytes % width != 0) {
      throw new AudioFormatException(Reason.ODD_BYTE_COUNT, "payload has " + bytes + " bytes, "
          + encoding + " needs a multiple of " + width);
    }
    float[] out = new float[bytes / width];
    int base = in.position();
    switch (encoding) {
      case PCM_S16LE:
        for (int i = 0; i < out.length; i++) {
          out[i] = in.getShort(base + 2 * i) / 32768f;
        }
        break;
      case FLOAT32_LE:
        for (int i = 0; i < out.length; i++) {
          float v = in.getFloat(base + 4 * i);
          if (!Float.isFinite(v)) {
            throw new AudioFormatException(Reason.NON_FINITE_SAMPLE,
                "sample " + i + " of " + out.length + " is " + v + "; FLOAT32_LE samples must be finite");
          }
          out[i] = v;
        }
        break;
      case MULAW:
        for (int i = 0; i < out.length; i++) {
          out[i] = G711.MULAW[in.get(base + i) & 0xff];
        }
        break;
      case ALAW:
        for (int i = 0; i < out.length; i++) {
          out[i] = G711.ALAW[in.get(base + i) & 0xff];
        }
        break;
      default:
        throw new AssertionError(encoding); // bytesPerSample refused it already
    }
    return out;
  }

  /** Decodes a byte array. */
  public static float[] decode(SampleEncoding encoding, byte[] payload) {
    return decode(encoding, ByteBuffer.wrap(payload));
  }
}
