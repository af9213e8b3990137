package dev.ser.core.audio;

import be.tarsos.dsp.resample.Resampler;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sample-rate conversion with TarsosDSP's band-limited interpolation resampler (a port of
 * libresample, high-quality filter). Output sample k lies at input time {@code k * from / to}:
 * there is no delay, so features of resampled audio line up with the original.
 */
public final class AudioResampler {

  /** Range of rates we accept anywhere: below telephony's 8 kHz is not speech we can score. */
  public static final int MIN_RATE = 4000;
  public static final int MAX_RATE = 192_000;

  /**
   * One never-used resampler per rate pair. Building TarsosDSP's filter table (Bessel-function
   * window) cost more than resampling a whole utterance (44 % of the stream job's CPU at 300
   * channels); copying a prototype reuses the table with fresh state.
   */
  private static final Map<Long, Resampler> PROTOTYPES = new ConcurrentHashMap<>();

  private AudioResampler() {}

  /**
   * Resamples a whole signal. The output has {@code ceil(n * to / from)} samples, as
   * {@code librosa.resample} produces.
   */
  public static float[] resample(float[] samples, int fromRate, int toRate) {
    checkRate(fromRate);
    checkRate(toRate);
    if (fromRate == toRate) {
      return samples.clone();
    }
    int expected = (int) Math.ceil((double) samples.length * toRate / fromRate);
    if (samples.length == 0) {
      return new float[0];
    }
    double factor = (double) toRate / fromRate;
    Resampler resampler = new Resampler(PROTOTYPES.computeIfAbsent(((long) fromRate << 32) | toRate,
        k -> new Resampler(true, factor, factor)));
    float[] out = new float[expected + 64];
    int consumed = 0;
    int produced = 0;
    // The resampler works through its internal buffer; loop until input and tail are drained.
    while (produced < out.length) {
      Resampler.Result r = resampler.process(factor, samples, consumed, samples.length - consumed, true,
          out, produced, out.length - produced);
      consumed += r.inputSamplesConsumed;
      produced += r.outputSamplesGenerated;
      if (r.inputSamplesConsumed == 0 && r.outputSamplesGenerated == 0) {
        break;
      }
    }
    return Arrays.copyOf(out, expected); // zero-fills if the tail came out short
  }

  /** Resamples every channel. */
  public static DecodedAudio resample(DecodedAudio audio, int toRate) {
    if (audio.sampleRate() == toRate) {
      return audio;
    }
    float[][] out = new float[audio.channelCount()][];
    for (int c = 0; c < out.length; c++) {
      out[c] = resample(audio.channels()[c], audio.sampleRate(), toRate);
    }
    return new DecodedAudio(toRate, out);
  }

  public static void checkRate(int rate) {
    if (rate < MIN_RATE || rate > MAX_RATE) {
      throw new AudioFormatException(AudioFormatException.Reason.BAD_SAMPLE_RATE, "sample rate " + rate
          + " Hz is outside the supported range " + MIN_RATE + ".." + MAX_RATE + " Hz");
    }
  }
}
