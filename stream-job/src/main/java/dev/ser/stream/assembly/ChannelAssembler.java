package dev.ser.stream.assembly;

import dev.ser.core.audio.AudioResampler;
import dev.ser.core.audio.PcmDecoder;
import dev.ser.core.vad.Utterance;
import dev.ser.core.vad.UtteranceSegmenter;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The per-channel logic, free of Flink: restores chunk order by sequence (dropping duplicates),
 * fills gaps that cannot be waited for with silence of the right length, decodes, finds utterances
 * at the stream's own rate and resamples each to the model's rate. End of stream or inactivity
 * flushes and closes the channel; a closed channel is remembered for a while so that late chunks are
 * refused instead of starting a second stream with the same utterance ids.
 */
public final class ChannelAssembler implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final float[] SILENCE = new float[4096];

  /** Where results go. */
  public interface Output {
    void utterance(UtteranceRecord utterance);

    void deadLetter(DeadLetterRecord deadLetter);

    /** A chunk that was already processed or buffered (a producer retry or replay), dropped. */
    void duplicate(ChunkRecord chunk);

    /** Chunks that never arrived, replaced by {@code silenceSamples} samples of silence. */
    void gapFilled(long missingChunks, long silenceSamples);

    /**
     * The channel closed after giving {@code utterances} utterances in all; {@code at} is the event
     * time of the end of its audio (-1 if it had none).
     */
    default void channelClosed(ChannelState s, int utterances, long at, String reason) {}
  }

  private final ChannelAssemblySettings config;

  public ChannelAssembler(ChannelAssemblySettings config) {
    this.config = config;
  }

  public ChannelAssemblySettings config() {
    return config;
  }

  /**
   * One arriving chunk.
   *
   * @param now       wall-clock time, ms
   * @param watermark the current event-time watermark ({@code Long.MIN_VALUE} when there is none)
   */
  public void onChunk(ChannelState s, ChunkRecord c, long now, long watermark, Output out) {
    if (s.closed) {
      if (c.sequence < s.nextSequence) {
        out.duplicate(c);
      } else {
        out.deadLetter(DeadLetterRecord.of(c, DeadLetterKind.LATE_CHUNK, "chunk " + c.sequence + " of "
            + c.callId + "/" + c.channel + " arrived after the channel was closed (" + s.closedReason + ")", now));
      }
      return;
    }
    // late against the watermark, or against the wall clock: before the first watermark exists, and
    // for a source whose watermark is held back, a chunk captured long ago is still recognised
    long reference = Math.max(watermark, now);
    if (config.allowedLatenessMs() > 0 && c.captureTimestamp < reference - config.allowedLatenessMs()) {
      out.deadLetter(DeadLetterRecord.of(c, DeadLetterKind.LATE_CHUNK, "chunk " + c.sequence + " of " + c.callId
          + "/" + c.channel + " was captured " + (reference - c.captureTimestamp) + " ms before "
          + (reference == now ? "now" : "the watermark") + "; the allowed lateness is " + config.allowedLatenessMs()
          + " ms", now));
      return;
    }
    if (c.sequence - s.nextSequence > config.maxSequenceJump()) {
      out.deadLetter(DeadLetterRecord.of(c, DeadLetterKind.BAD_SEQUENCE, "sequence " + c.sequence + " of " + c.callId
          + "/" + c.channel + " is " + (c.sequence - s.nextSequence) + " ahead of the expected " + s.nextSequence
          + "; at most " + config.maxSequenceJump() + " is accepted (max-sequence-jump)", now));
      return;
    }
    s.lastActivityMs = now;
    if (c.sequence < s.nextSequence || s.pending.containsKey(c.sequence)) {
      out.duplicate(c);
      return;
    }
    s.pending.put(c.sequence, c);
    drain(s, now, false, out);
  }

  /**
   * A timer fired: fills gaps that waited too long, closes an idle channel.
   *
   * @return true when the channel's state should be removed entirely
   */
  public boolean onTimer(ChannelState s, long now, Output out) {
    if (s.closed) {
      return now >= s.closedAtMs + config.closedRetentionMs();
    }
    if (!s.pending.isEmpty() && now >= s.pendingSinceMs + config.maxReorderWaitMs()) {
      drain(s, now, true, out);
    }
    if (!s.closed && now >= s.lastActivityMs + config.idleTimeoutMs()) {
      closeNow(s, now, "no chunk for " + (now - s.lastActivityMs) + " ms, idle timeout " + config.idleTimeoutMs()
          + " ms", out);
    }
    return false;
  }

  /**
   * Closes an open channel now, as its idle timeout would: what waits for a missing chunk is
   * processed (the gap taken as silence), speech in progress becomes its last utterance.
   */
  public void closeNow(ChannelState s, long now, String reason, Output out) {
    drain(s, now, true, out);
    if (!s.closed) {
      if (s.segmenter != null) {
        emit(s, s.segmenter.flush(), now, out);
      }
      close(s, now, reason, out);
    }
  }

  /** When the channel next needs a timer (wall clock, ms). */
  public long nextDeadline(ChannelState s) {
    if (s.closed) {
      return s.closedAtMs + config.closedRetentionMs();
    }
    long idle = s.lastActivityMs + config.idleTimeoutMs();
    return s.pending.isEmpty() ? idle : Math.min(idle, s.pendingSinceMs + config.maxReorderWaitMs());
  }

  private void drain(ChannelState s, long now, boolean force, Output out) {
    boolean progress = false;
    while (!s.pending.isEmpty() && !s.closed) {
      Map.Entry<Long, ChunkRecord> first = s.pending.firstEntry();
      if (first.getKey() != s.nextSequence) {
        if (!force && s.pending.size() <= config.maxReorderChunks() && pendingBytes(s) <= config.maxReorderBytes()) {
          break;
        }
        fillGap(s, first.getValue(), out);
      }
      s.pending.pollFirstEntry();
      process(s, first.getValue(), now, out);
      progress = true;
    }
    if (s.pending.isEmpty()) {
      s.pendingSinceMs = -1;
    } else if (progress || s.pendingSinceMs < 0) {
      s.pendingSinceMs = now;
    }
  }

  /** Payload bytes in the reorder buffer (at most max-reorder-chunks + 1 entries: summed, not kept). */
  private static long pendingBytes(ChannelState s) {
    long bytes = 0;
    for (ChunkRecord c : s.pending.values()) {
      bytes += c.payload.length;
    }
    return bytes;
  }

  private void process(ChannelState s, ChunkRecord c, long now, Output out) {
    s.nextSequence = c.sequence + 1;
    s.traceparent = c.traceparent;
    if (!s.started && config.modelRate(c.sampleRate) == 0) {
      out.deadLetter(DeadLetterRecord.of(c, DeadLetterKind.BAD_SAMPLE_RATE, "chunk " + c.sequence + " of " + c.callId
          + "/" + c.channel + ": " + config.router().route(c.sampleRate).refusal(), now));
      return;
    }
    if (!s.started) {
      s.started = true;
      s.sampleRate = c.sampleRate;
      s.encoding = c.encoding;
      s.originTimestamp = c.captureTimestamp;
      s.segmenter = new UtteranceSegmenter(config.segmenterConfig(c.sampleRate));
    }
    // faster than real time by the stream's own clock: its capture timestamps, which the source keeps
    // within max-capture-ahead-ms of the job's clock. A catch-up after an outage is not refused here:
    // its chunks come fast, but their capture times keep pace with their audio.
    long ahead = s.segmenter.position() * 1000 / s.sampleRate - (c.captureTimestamp - s.originTimestamp);
    if (config.maxAudioAheadMs() > 0 && ahead > config.maxAudioAheadMs()) {
      out.deadLetter(DeadLetterRecord.of(c, DeadLetterKind.INVALID_FIELD, "chunk " + c.sequence + " of " + c.callId
          + "/" + c.channel + ": the channel's audio runs " + ahead + " ms ahead of its capture timestamps (sent"
          + " faster than real time); at most " + config.maxAudioAheadMs() + " ms is accepted"
          + " (max-audio-ahead-ms); the chunk is dropped", now));
    } else if (c.sampleRate != s.sampleRate || c.encoding != s.encoding) {
      boolean rate = c.sampleRate != s.sampleRate;
      out.deadLetter(DeadLetterRecord.of(c, rate ? DeadLetterKind.BAD_SAMPLE_RATE : DeadLetterKind.INVALID_FIELD,
          (rate ? "sample rate changed from " + s.sampleRate + " to " + c.sampleRate + " Hz"
              : "encoding changed from " + s.encoding + " to " + c.encoding)
              + " within the stream; the chunk is replaced by silence of its duration", now));
      long samples = (long) c.sampleCount() * s.sampleRate / c.sampleRate;
      feedSilence(s, samples, now, out);
    } else {
      float[] x = PcmDecoder.decode(c.encoding, c.payload);
      if (x.length > 0) {
        s.lastChunkSamples = x.length;
      }
      emit(s, s.segmenter.accept(x), now, out);
    }
    if (c.endOfStream) {
      emit(s, s.segmenter.flush(), now, out);
      close(s, now, "end of stream at sequence " + c.sequence, out);
    }
  }

  private void fillGap(ChannelState s, ChunkRecord next, Output out) {
    long missing = next.sequence - s.nextSequence;
    if (!s.started) {
      // the stream's first chunks never came: it starts with the first one we have
      out.gapFilled(missing, 0);
      return;
    }
    long expectedMs = s.originTimestamp + s.segmenter.position() * 1000 / s.sampleRate;
    long gapMs = next.captureTimestamp - expectedMs;
    long samples = gapMs > 0 ? gapMs * s.sampleRate / 1000 : missing * s.lastChunkSamples;
    long cap = config.maxGapMs() * s.sampleRate / 1000;
    boolean capped = samples > cap;
    samples = Math.min(samples, cap);
    feedSilence(s, samples, s.lastActivityMs, out);
    if (capped) {
      // keep event times true to the chunks' clock after a longer outage
      s.originTimestamp = next.captureTimestamp - s.segmenter.position() * 1000 / s.sampleRate;
    }
    out.gapFilled(missing, samples);
  }

  private void feedSilence(ChannelState s, long samples, long now, Output out) {
    while (samples > 0) {
      int n = (int) Math.min(samples, SILENCE.length);
      emit(s, s.segmenter.accept(SILENCE, 0, n), now, out);
      samples -= n;
    }
  }

  private void close(ChannelState s, long now, String reason, Output out) {
    int utterances = s.segmenter == null ? 0 : s.segmenter.emittedUtterances();
    long at = s.segmenter == null ? -1 : s.originTimestamp + s.segmenter.position() * 1000 / s.sampleRate;
    s.closedWithoutUtterances = utterances == 0;
    s.closed = true;
    s.closedAtMs = now;
    s.closedReason = reason;
    s.segmenter = null;
    for (ChunkRecord late : s.pending.values()) {
      out.deadLetter(DeadLetterRecord.of(late, DeadLetterKind.LATE_CHUNK, "chunk " + late.sequence + " of "
          + late.callId + "/" + late.channel + " comes after the channel was closed (" + reason + ")", now));
    }
    s.pending.clear();
    s.pendingSinceMs = -1;
    out.channelClosed(s, utterances, at, reason);
  }

  private void emit(ChannelState s, List<Utterance> utterances, long now, Output out) {
    for (Utterance u : utterances) {
      UtteranceRecord r = new UtteranceRecord();
      r.callId = s.callId;
      r.channel = s.channel;
      r.index = u.index();
      r.startTime = s.originTimestamp + u.startSample() * 1000 / s.sampleRate;
      r.endTime = s.originTimestamp + u.endSample() * 1000 / s.sampleRate;
      int target = config.modelRate(s.sampleRate);
      r.samples = s.sampleRate == target ? u.samples() : AudioResampler.resample(u.samples(), s.sampleRate, target);
      r.sampleRate = target;
      r.closedAtMs = now;
      r.traceparent = s.traceparent;
      out.utterance(r);
    }
  }
}
