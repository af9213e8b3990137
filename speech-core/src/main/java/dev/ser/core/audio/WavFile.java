package dev.ser.core.audio;

import dev.ser.core.audio.AudioFormatException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes RIFF/WAVE files. Reads PCM (8, 16, 24, 32 bit), IEEE float (32, 64 bit),
 * mu-law and A-law, also inside WAVE_FORMAT_EXTENSIBLE, with any number of channels; writes
 * 16-bit PCM. Written from the RIFF/WAVE format description (Microsoft multimedia
 * specification 1.0 and its extensible-format addendum).
 */
public final class WavFile {

  private static final int FORMAT_PCM = 0x0001;
  private static final int FORMAT_IEEE_FLOAT = 0x0003;
  private static final int FORMAT_ALAW = 0x0006;
  private static final int FORMAT_MULAW = 0x0007;
  private static final int FORMAT_EXTENSIBLE = 0xFFFE;
  /** Largest declared chunk size that streaming writers use to mean "until the end". */
  private static final long SIZE_UNKNOWN = 0xFFFFFFFFL;

  private WavFile() {}

  public static DecodedAudio read(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    try {
      return decode(bytes);
    } catch (AudioFormatException e) {
      throw new AudioFormatException(e.reason(), path + ": " + e.getMessage());
    }
  }

  /**
   * A WAV file as training and scoring see it: channels averaged (as {@code librosa.load} does),
   * resampled to {@code rate}. The one way both load utterances from files.
   */
  public static float[] readMono(Path path, int rate) throws IOException {
    DecodedAudio audio = read(path);
    return AudioResampler.resample(audio.mixToMono(), audio.sampleRate(), rate);
  }

  /** Decodes a whole WAV file held in memory. */
  public static DecodedAudio decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 12) {
      throw new AudioFormatException(Reason.BAD_HEADER,
          "not a WAV file: " + bytes.length + " bytes is shorter than a RIFF header");
    }
    String riff = fourCc(in, 0);
    if (!riff.equals("RIFF")) {
      throw new AudioFormatException(Reason.BAD_HEADER,
          "not a WAV file: starts with \"" + printable(riff) + "\" instead of \"RIFF\""
              + (riff.equals("RF64") ? " (RF64 is not supported)" : ""));
    }
    String wave = fourCc(in, 8);
    if (!wave.equals("WAVE")) {
      throw new AudioFormatException(Reason.BAD_HEADER,
          "not a WAV file: RIFF form type is \"" + printable(wave) + "\" instead of \"WAVE\"");
    }

    Format format = null;
    int offset = 12;
    while (offset + 8 <= bytes.length) {
      String id = fourCc(in, offset);
      long size = Integer.toUnsignedLong(in.getInt(offset + 4));
      int body = offset + 8;
      if (id.equals("fmt ")) {
        if (size < 16 || body + size > bytes.length) {
          throw new AudioFormatException(Reason.BAD_HEADER, "fmt chunk has " + size
              + " bytes; it needs at least 16 and must fit in the file");
        }
        format = Format.parse(in, body, (int) size);
      } else if (id.equals("data")) {
        if (format == null) {
          throw new AudioFormatException(Reason.BAD_HEADER, "data chunk comes before any fmt chunk");
        }
        long available = bytes.length - body;
        long length = size;
        if (size == SIZE_UNKNOWN || (size == 0 && available > 0)) {
          length = available; // written by a streaming recorder that never patched the size
        } else if (size > available) {
          throw new AudioFormatException(Reason.BAD_HEADER, "data chunk declares " + size
              + " bytes but only " + available + " follow: the file is truncated");
        }
        return format.decode(in, body, (int) length);
      }
      // chunks are padded to an even size
      long next = body + size + (size & 1);
      if (next > bytes.length) {
        break;
      }
      offset = (int) next;
    }
    throw new AudioFormatException(Reason.BAD_HEADER,
        format == null ? "no fmt chunk found" : "no data chunk found");
  }

  /** Writes 16-bit PCM with the given channels, clipping to [-1, 1). */
  public static void writePcm16(Path path, DecodedAudio audio) throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      out.write(encodePcm16(audio));
    }
  }

  public static byte[] encodePcm16(DecodedAudio audio) {
    int channels = audio.channelCount();
    int frames = audio.frameCount();
    int dataBytes = frames * channels * 2;
    ByteBuffer out = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    out.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
        .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) FORMAT_PCM).putShort((short) channels)
        .putInt(audio.sampleRate()).putInt(audio.sampleRate() * channels * 2)
        .putShort((short) (channels * 2)).putShort((short) 16)
        .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (int i = 0; i < frames; i++) {
      for (int c = 0; c < channels; c++) {
        out.putShort(toPcm16(audio.channels()[c][i]));
      }
    }
    return out.array();
  }

  /** Rounds a float sample to 16 bits, the inverse of dividing by 32768. */
  public static short toPcm16(float sample) {
    long v = Math.round(sample * 32768.0);
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
  }

  private static String fourCc(ByteBuffer in, int offset) {
    char[] c = new char[4];
    for (int i = 0; i < 4; i++) {
      c[i] = (char) (in.get(offset + i) & 0xff);
    }
    return new String(c);
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
    }
    return b.toString();
  }

  private record Format(int code, int channels, int sampleRate, int blockAlign, int bits) {

    static Format parse(ByteBuffer in, int offset, int size) {
      int code = in.getShort(offset) & 0xffff;
      int channels = in.getShort(offset + 2) & 0xffff;
      int sampleRate = in.getInt(offset + 4);
      int blockAlign = in.getShort(offset + 12) & 0xffff;
      int bits = in.getShort(offset + 14) & 0xffff;
      if (code == FORMAT_EXTENSIBLE) {
        if (size < 40) {
          throw new AudioFormatException(Reason.BAD_HEADER,
              "WAVE_FORMAT_EXTENSIBLE fmt chunk has " + size + " bytes, needs 40");
        }
        // the sub-format GUID starts with the plain format code
        code = in.getShort(offset + 24) & 0xffff;
      }
      if (channels == 0) {
        throw new AudioFormatException(Reason.BAD_HEADER, "fmt chunk declares 0 channels");
      }
      if (sampleRate <= 0) {
        throw new AudioFormatException(Reason.BAD_SAMPLE_RATE,
            "fmt chunk declares sample rate " + Integer.toUnsignedString(sampleRate));
      }
      Format f = new Format(code, channels, sampleRate, blockAlign, bits);
      int width = f.bytesPerSample();
      if (blockAlign != width * channels) {
        throw new AudioFormatException(Reason.BAD_HEADER, "block align is " + blockAlign + " bytes but "
            + channels + " channel(s) of " + bits + "-bit samples need " + width * channels);
      }
      return f;
    }

    int bytesPerSample() {
      switch (code) {
        case FORMAT_PCM:
          if (bits == 8 || bits == 16 || bits == 24 || bits == 32) {
            return bits / 8;
          }
          throw unsupported(bits + "-bit PCM");
        case FORMAT_IEEE_FLOAT:
          if (bits == 32 || bits == 64) {
            return bits / 8;
          }
          throw unsupported(bits + "-bit float");
        case FORMAT_ALAW:
        case FORMAT_MULAW:
          if (bits == 8) {
            return 1;
          }
          throw unsupported(bits + "-bit G.711");
        default:
          throw unsupported(String.format("format code 0x%04x", code));
      }
    }

    private static AudioFormatException unsupported(String what) {
      return new AudioFormatException(Reason.UNSUPPORTED_FORMAT, "unsupported WAV encoding: " + what
          + "; supported are 8/16/24/32-bit PCM, 32/64-bit float, mu-law and A-law");
    }

    DecodedAudio decode(ByteBuffer in, int offset, int length) {
      if (length % blockAlign != 0) {
        throw new AudioFormatException(Reason.ODD_BYTE_COUNT, "data chunk has " + length
            + " bytes, not a whole number of " + blockAlign + "-byte sample frames");
      }
      int frames = length / blockAlign;
      float[][] out = new float[channels][frames];
      int width = bytesPerSample();
      for (int i = 0; i < frames; i++) {
        for (int c = 0; c < channels; c++) {
          int p = offset + i * blockAlign + c * width;
          out[c][i] = sample(in, p, i, c);
        }
      }
      return new DecodedAudio(sampleRate, out);
    }

    private float sample(ByteBuffer in, int p, int frame, int channel) {
      switch (code) {
        case FORMAT_PCM:
          switch (bits) {
            case 8:
              return ((in.get(p) & 0xff) - 128) / 128f; // 8-bit WAV is unsigned
            case 16:
              return in.getShort(p) / 32768f;
            case 24:
              int v = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | in.get(p + 2) << 16;
              return v / 8388608f;
            default:
              return (float) (in.getInt(p) / 2147483648.0);
          }
        case FORMAT_IEEE_FLOAT:
          double d = bits == 32 ? in.getFloat(p) : in.getDouble(p);
          if (!Double.isFinite(d)) {
            throw new AudioFormatException(Reason.NON_FINITE_SAMPLE,
                "sample " + frame + " of channel " + channel + " is " + d + "; float samples must be finite");
          }
          return (float) d;
        case FORMAT_ALAW:
          return G711.ALAW[in.get(p) & 0xff];
        default:
          return G711.MULAW[in.get(p) & 0xff];
      }
    }
  }
}
