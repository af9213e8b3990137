package dev.ser.training.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The line between a caller and the job, simulated on 8 kHz training audio in the order the audio
 * meets it: the telephone band (300-3400 Hz, a second-order high-pass and low-pass, as a handset
 * and the network limit it), the G.711 codec ({@link TelephoneChannel}, the job's own), and lost
 * packets: 20 ms frames dropped at random, each with probability {@code packetLoss}, and filled with
 * silence as the stream job fills a gap. The losses of a clip depend only on the clip (its key), so
 * its features can be cached and a run repeats.
 *
 * @param codec      G.711 mu-law or A-law, or none
 * @param bandPass   whether the audio is limited to 300-3400 Hz first
 * @param packetLoss the probability that a 20 ms packet is lost, 0..0.5
 */
public record TelephoneLine(TelephoneChannel codec, boolean bandPass, double packetLoss) {

  public static final TelephoneLine NONE = new TelephoneLine(TelephoneChannel.NONE, false, 0);

  /** The telephone band's edges, Hz, and the filters' quality factor (Butterworth). */
  public static final double LOW_HZ = 300;
  public static final double HIGH_HZ = 3400;
  private static final double Q = Math.sqrt(0.5);
  /** A packet of G.711 over RTP: 20 ms at 8 kHz. */
  public static final int PACKET_SAMPLES = 160;

  public TelephoneLine {
    if (!(packetLoss >= 0 && packetLoss <= 0.5)) {
      throw new IllegalArgumentException("--telephone-packet-loss must be a probability in 0..0.5, got " + packetLoss);
    }
  }

  public boolean isNone() {
    return codec == TelephoneChannel.NONE && !bandPass && packetLoss == 0;
  }

  /** Refuses a simulated line for features at another rate than the telephone's 8 kHz. */
  public void checkRate(int sampleRate) {
    if (!isNone() && sampleRate != 8000) {
      throw new IllegalArgumentException("the simulated telephone line is 8 kHz; the feature configuration is at "
          + sampleRate + " Hz (use an 8 kHz one, e.g. model-training/features/telephony-8k-emodb.json)");
    }
  }

  /** The audio of clip {@code clipKey} as it leaves the line (8 kHz in, 8 kHz out; the input is not changed). */
  public float[] apply(float[] audio, String clipKey) {
    if (isNone()) {
      return audio;
    }
    float[] y = audio;
    if (bandPass) {
      y = biquad(biquad(y, highPass(LOW_HZ, 8000)), lowPass(HIGH_HZ, 8000));
    }
    y = codec.apply(y);
    if (packetLoss > 0) {
      y = y == audio ? y.clone() : y;
      SplittableRandom random = new SplittableRandom(seed(clipKey));
      for (int start = 0; start < y.length; start += PACKET_SAMPLES) {
        if (random.nextDouble() < packetLoss) {
          java.util.Arrays.fill(y, start, Math.min(y.length, start + PACKET_SAMPLES), 0f);
        }
      }
    }
    return y;
  }

  private static long seed(String clipKey) {
    long h = 1125899906842597L;
    for (byte b : clipKey.getBytes(StandardCharsets.UTF_8)) {
      h = 31 * h + b;
    }
    return h;
  }

  /**
   * Biquad coefficients {b0, b1, b2, a1, a2}, normalised by a0, after the Audio EQ Cookbook (R.
   * Bristow-Johnson): a second-order high-pass at {@code f0}.
   */
  static double[] highPass(double f0, double fs) {
    double w0 = 2 * Math.PI * f0 / fs;
    double alpha = Math.sin(w0) / (2 * Q);
    double c = Math.cos(w0);
    double a0 = 1 + alpha;
    return new double[] {(1 + c) / 2 / a0, -(1 + c) / a0, (1 + c) / 2 / a0, -2 * c / a0, (1 - alpha) / a0};
  }

  /** As {@link #highPass}, a second-order low-pass. */
  static double[] lowPass(double f0, double fs) {
    double w0 = 2 * Math.PI * f0 / fs;
    double alpha = Math.sin(w0) / (2 * Q);
    double c = Math.cos(w0);
    double a0 = 1 + alpha;
    return new double[] {(1 - c) / 2 / a0, (1 - c) / a0, (1 - c) / 2 / a0, -2 * c / a0, (1 - alpha) / a0};
  }

  /** {@code x} through the biquad {@code k} (direct form I, starting at rest). */
  static float[] biquad(float[] x, double[] k) {
    float[] y = new float[x.length];
    double x1 = 0;
    double x2 = 0;
    double y1 = 0;
    double y2 = 0;
    for (int n = 0; n < x.length; n++) {
      double v = k[0] * x[n] + k[1] * x1 + k[2] * x2 - k[3] * y1 - k[4] * y2;
      x2 = x1;
      x1 = x[n];
      y2 = y1;
      y1 = v;
      y[n] = (float) v;
    }
    return y;
  }

  /** The magnitude response of biquad {@code k} at {@code f} Hz (sampling at {@code fs}). */
  static double gain(double[] k, double f, double fs) {
    double w = 2 * Math.PI * f / fs;
    double nr = k[0] + k[1] * Math.cos(w) + k[2] * Math.cos(2 * w);
    double ni = -k[1] * Math.sin(w) - k[2] * Math.sin(2 * w);
    double dr = 1 + k[3] * Math.cos(w) + k[4] * Math.cos(2 * w);
    double di = -k[3] * Math.sin(w) - k[4] * Math.sin(2 * w);
    return Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
  }

  /** What the feature cache is keyed by besides the feature configuration ("" for no line, as before lines). */
  public String cacheKey() {
    if (isNone()) {
      return "";
    }
    String key = "|" + codec;
    if (bandPass) {
      key += "|bandpass-300-3400";
    }
    if (packetLoss > 0) {
      key += "|loss-" + packetLoss;
    }
    return key;
  }

  /** Writes the line into a report's settings (nothing for no line, as before). */
  public void describe(ObjectNode settings) {
    if (codec != TelephoneChannel.NONE) {
      settings.put("telephone_channel", codec.name().toLowerCase(Locale.ROOT));
    }
    if (bandPass) {
      settings.put("telephone_band_pass", "300-3400 Hz");
    }
    if (packetLoss > 0) {
      settings.put("telephone_packet_loss", packetLoss);
    }
  }
}
