package dev.ser.stream.assembly;

import dev.ser.core.vad.UtteranceSegmenter;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.chunk.ChunkRecord;
import java.util.TreeMap;

/**
 * Everything the job remembers about one (call, channel) stream. Kept as one value state so the
 * heap state backend touches a single object per chunk; the Flink wiring's serializer writes it
 * at checkpoints.
 */
public final class ChannelState {
  public String callId;
  public String channel;
  /** Rate and encoding of the stream, from its first chunk (0 / null before). */
  public int sampleRate;
  public SampleEncoding encoding;
  /** Event time of stream sample 0, ms; positions are counted from it. */
  public long originTimestamp;
  /** Next sequence number to process. */
  public long nextSequence;
  /** True once a chunk has been processed (so gaps can be measured). */
  public boolean started;
  public int lastChunkSamples;
  /** The reorder buffer: chunks that arrived before a missing one, by sequence. */
  public final TreeMap<Long, ChunkRecord> pending = new TreeMap<>();
  /** Wall-clock time since which the oldest gap has held chunks back; -1 when none. */
  public long pendingSinceMs = -1;
  public UtteranceSegmenter segmenter;
  public long lastActivityMs;
  /** Closed after end of stream or inactivity: only remembered to refuse late chunks. */
  public boolean closed;
  public long closedAtMs;
  public String closedReason;
  /**
   * Set when the channel closes without having emitted any utterance: no id of it exists that a
   * later chunk could reuse, so its state is dropped at once instead of kept for the retention.
   * Never part of a snapshot (such a channel is gone before the next one).
   */
  public transient boolean closedWithoutUtterances;
  /** The traceparent of the last chunk processed (null if it had none): the trace of the utterances it ends. */
  public String traceparent;

  public ChannelState() {}

  public ChannelState(String callId, String channel) {
    this.callId = callId;
    this.channel = channel;
  }
}
