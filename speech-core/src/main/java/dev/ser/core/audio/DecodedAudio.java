package dev.ser.core.audio;

/**
 * Decoded audio: one float array per channel, samples in [-1, 1].
 *
 * @param sampleRate samples per second of every channel
 * @param channels   {@code channels[c][i]} is sample i of channel c; all of equal length
 */
public record DecodedAudio(int sampleRate, float[][] channels) {

  public DecodedAudio {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }
    if (channels.length == 0) {
      throw new IllegalArgumentException("audio needs at least one channel");
    }
    for (float[] c : channels) {
      if (c.length != channels[0].length) {
        throw new IllegalArgumentException("channels differ in length");
      }
    }
  }

  public static DecodedAudio mono(int sampleRate, float[] samples) {
    return new DecodedAudio(sampleRate, new float[][] {samples});
  }

  public int channelCount() {
    return channels.length;
  }

  public int frameCount() {
    return channels[0].length;
  }

  public float[] channel(int index) {
    if (index < 0 || index >= channels.length) {
      throw new IllegalArgumentException("channel " + index + " does not exist; the audio has "
          + channels.length + " channel" + (channels.length == 1 ? "" : "s"));
    }
    return channels[index];
  }

  /** All channels averaged into one, as {@code librosa.load(mono=True)} does; channel 0 itself if mono. */
  public float[] mixToMono() {
    if (channels.length == 1) {
      return channels[0];
    }
    float[] mono = new float[frameCount()];
    for (float[] channel : channels) {
      for (int i = 0; i < mono.length; i++) {
        mono[i] += channel[i] / channels.length;
      }
    }
    return mono;
  }

  public double durationSeconds() {
    return (double) frameCount() / sampleRate;
  }
}
