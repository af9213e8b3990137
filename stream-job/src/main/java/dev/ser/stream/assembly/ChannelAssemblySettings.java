package dev.ser.stream.assembly;

import dev.ser.core.vad.SegmenterConfig;
import java.io.Serializable;

/**
 * How a channel's chunks become utterances: ordering limits, voice activity settings, timeouts.
 *
 * @param targetRate          Hz of the utterances handed to the model (its feature config's rate)
 * @param vadThresholdDb      speech is this far above the noise floor
 * @param vadMinSpeechDbfs    ... and at least this loud
 * @param hangoverMs          non-speech this long ends an utterance
 * @param preRollMs           audio kept before speech starts
 * @param minUtteranceMs      shorter speech is dropped
 * @param maxUtteranceMs      longer speech is split (the model's input length by default)
 * @param maxReorderChunks    chunks held while waiting for a missing one; beyond it the gap is silence
 * @param maxReorderWaitMs    how long a gap may hold back later chunks (wall clock)
 * @param maxGapMs            a gap longer than this is filled with this much silence only
 * @param idleTimeoutMs       a channel without chunks this long is flushed and closed
 * @param closedRetentionMs   how long a closed channel is remembered, to refuse late chunks
 * @param allowedLatenessMs   chunks this far behind the watermark are refused as late; 0 disables
 * @param maxSequenceJump     a chunk further ahead of the expected sequence is refused (BAD_SEQUENCE)
 * @param maxReorderBytes     payload bytes held while waiting for a missing chunk; beyond it the gap is silence
 * @param maxAudioAheadMs     how far a stream's audio may run ahead of its own capture timestamps (sent faster
 *                            than real time) before its chunks are refused; 0 disables
 * @param router              with several models, which one a stream's rate goes to (its utterances are resampled
 *                            to that model's rate instead of {@code targetRate}); null: one model, at targetRate
 */
public record ChannelAssemblySettings(int targetRate, double vadThresholdDb, double vadMinSpeechDbfs, int hangoverMs,
    int preRollMs, int minUtteranceMs, int maxUtteranceMs, int maxReorderChunks, long maxReorderWaitMs,
    long maxGapMs, long idleTimeoutMs, long closedRetentionMs, long allowedLatenessMs, long maxSequenceJump,
    int maxReorderBytes, long maxAudioAheadMs, dev.ser.core.scoring.ModelRouter router)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** One model, at {@code targetRate}. */
  public ChannelAssemblySettings(int targetRate, double vadThresholdDb, double vadMinSpeechDbfs, int hangoverMs,
      int preRollMs, int minUtteranceMs, int maxUtteranceMs, int maxReorderChunks, long maxReorderWaitMs,
      long maxGapMs, long idleTimeoutMs, long closedRetentionMs, long allowedLatenessMs, long maxSequenceJump,
      int maxReorderBytes, long maxAudioAheadMs) {
    this(targetRate, vadThresholdDb, vadMinSpeechDbfs, hangoverMs, preRollMs, minUtteranceMs, maxUtteranceMs,
        maxReorderChunks, maxReorderWaitMs, maxGapMs, idleTimeoutMs, closedRetentionMs, allowedLatenessMs,
        maxSequenceJump, maxReorderBytes, maxAudioAheadMs, null);
  }

  /** The rate a stream at {@code streamRate} is resampled to, or 0 when no model takes it. */
  public int modelRate(int streamRate) {
    if (router == null) {
      return targetRate;
    }
    dev.ser.core.scoring.ModelRouter.Route r = router.route(streamRate);
    return r.routed() ? router.candidates().get(r.model()).sampleRate() : 0;
  }

  public ChannelAssemblySettings {
    if (maxReorderChunks < 1) {
      throw new IllegalArgumentException("max-reorder-chunks must be at least 1, got " + maxReorderChunks);
    }
    if (maxReorderBytes < 1) {
      throw new IllegalArgumentException("max-reorder-bytes must be at least 1, got " + maxReorderBytes);
    }
    if (maxReorderWaitMs < 0 || maxGapMs < 0 || allowedLatenessMs < 0) {
      throw new IllegalArgumentException("max-reorder-wait-ms, max-gap-ms and allowed-lateness-ms must not be negative");
    }
    if (maxSequenceJump < 1) {
      throw new IllegalArgumentException("max-sequence-jump must be positive, got " + maxSequenceJump);
    }
    if (idleTimeoutMs < 1 || closedRetentionMs < 1) {
      throw new IllegalArgumentException("idle-timeout-ms and closed-retention-ms must be positive");
    }
    // validates the voice activity settings (the fields are not assigned yet in a compact constructor)
    new SegmenterConfig(targetRate, 10, vadThresholdDb, vadMinSpeechDbfs, -60.0, 6.0, hangoverMs, preRollMs,
        minUtteranceMs, maxUtteranceMs);
  }

  /** The segmenter settings for a stream at {@code sampleRate}. */
  public SegmenterConfig segmenterConfig(int sampleRate) {
    return new SegmenterConfig(sampleRate, 10, vadThresholdDb, vadMinSpeechDbfs, -60.0, 6.0, hangoverMs, preRollMs,
        minUtteranceMs, maxUtteranceMs);
  }
}
