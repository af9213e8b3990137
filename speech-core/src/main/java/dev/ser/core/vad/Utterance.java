package dev.ser.core.vad;

/**
 * A stretch of speech found by the {@link UtteranceSegmenter}.
 *
 * @param index       0 for the first utterance of the stream, +1 for each one emitted
 * @param startSample position of the first sample, counted from the start of the stream
 * @param endSample   position just after the last sample (exclusive)
 * @param samples     the audio, {@code endSample - startSample} samples
 */
public record Utterance(int index, long startSample, long endSample, float[] samples) {

  public Utterance {
    if (endSample - startSample != samples.length) {
      throw new IllegalArgumentException("utterance [" + startSample + ", " + endSample + ") has "
          + samples.length + " samples");
    }
  }
}
