package dev.ser.training.data;

import dev.ser.core.audio.PcmDecoder;
import dev.ser.core.audio.PcmEncoder;
import dev.ser.schemas.SampleEncoding;
import java.util.Locale;

/**
 * The channel a caller's voice crosses before the job hears it, simulated on training audio so a
 * narrowband model learns from what it will score: G.711 mu-law or A-law at 8 kHz, encoded and
 * decoded by the same code the stream job decodes chunks with ({@link PcmEncoder},
 * {@link PcmDecoder}). The audio must already be at 8 kHz (the feature configuration's rate).
 */
public enum TelephoneChannel {
  NONE(null), MULAW(SampleEncoding.MULAW), ALAW(SampleEncoding.ALAW);

  private final SampleEncoding codec;

  TelephoneChannel(SampleEncoding codec) {
    this.codec = codec;
  }

  public static TelephoneChannel parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--telephone-channel must be none, mulaw or alaw, got " + name);
    }
  }

  /** The audio as it comes out of the channel (8 kHz in, 8 kHz out). */
  public float[] apply(float[] audio) {
    return this == NONE ? audio : PcmDecoder.decode(codec, PcmEncoder.encode(codec, audio));
  }
}
