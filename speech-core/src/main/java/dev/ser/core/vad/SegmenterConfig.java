package dev.ser.core.vad;

import java.io.Serializable;

/**
 * Settings of the {@link UtteranceSegmenter}. All durations are in milliseconds and are rounded
 * down to whole analysis frames.
 *
 * @param sampleRate          Hz of the samples fed to the segmenter
 * @param frameMs             analysis frame length; energy and decisions are per frame
 * @param thresholdDb         a frame is speech when its energy is this far above the noise floor
 * @param minSpeechDbfs       ... and at least this loud (dB relative to full scale), so that digital
 *                            silence or faint line noise never counts as speech
 * @param initialNoiseFloorDbfs noise floor assumed before any audio was seen
 * @param noiseRiseDbPerSecond how fast the floor may rise towards louder background noise; it falls
 *                            at once to any quieter frame
 * @param hangoverMs          non-speech this long ends an utterance (shorter pauses are kept inside)
 * @param preRollMs           audio kept before the first speech frame, for weak onsets
 * @param minUtteranceMs      utterances with less speech than this are dropped (clicks, coughs)
 * @param maxUtteranceMs      longer speech is cut into consecutive utterances of this length
 */
public record SegmenterConfig(
    int sampleRate,
    int frameMs,
    double thresholdDb,
    double minSpeechDbfs,
    double initialNoiseFloorDbfs,
    double noiseRiseDbPerSecond,
    int hangoverMs,
    int preRollMs,
    int minUtteranceMs,
    int maxUtteranceMs) implements Serializable {

  private static final long serialVersionUID = 1L;

  public SegmenterConfig {
    require(sampleRate >= 4000 && sampleRate <= 192_000, "sampleRate must be 4000..192000 Hz, got " + sampleRate);
    require(frameMs >= 5 && frameMs <= 100, "frameMs must be 5..100, got " + frameMs);
    require(thresholdDb > 0, "thresholdDb must be positive, got " + thresholdDb);
    require(minSpeechDbfs < 0, "minSpeechDbfs must be below 0 dBFS, got " + minSpeechDbfs);
    require(noiseRiseDbPerSecond >= 0, "noiseRiseDbPerSecond must not be negative, got " + noiseRiseDbPerSecond);
    require(hangoverMs >= 0 && preRollMs >= 0, "hangoverMs and preRollMs must not be negative");
    require(minUtteranceMs >= 0, "minUtteranceMs must not be negative, got " + minUtteranceMs);
    require(maxUtteranceMs >= frameMs && maxUtteranceMs >= minUtteranceMs,
        "maxUtteranceMs must be at least frameMs and minUtteranceMs, got " + maxUtteranceMs);
    require(preRollMs < maxUtteranceMs, "preRollMs must be below maxUtteranceMs");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid segmenter config: " + message);
    }
  }

  /**
   * Defaults for call audio: 10 ms frames, speech 9 dB above the floor and above -50 dBFS,
   * 500 ms hangover (pauses between words stay inside a sentence), 100 ms pre-roll, utterances of
   * 0.4 s to {@code maxUtteranceMs} (the model's input length).
   */
  public static SegmenterConfig defaults(int sampleRate, int maxUtteranceMs) {
    return new SegmenterConfig(sampleRate, 10, 9.0, -50.0, -60.0, 6.0, 500, 100, 400, maxUtteranceMs);
  }

  int frameSamples() {
    return sampleRate * frameMs / 1000;
  }

  int frames(int ms) {
    return ms / frameMs;
  }
}
