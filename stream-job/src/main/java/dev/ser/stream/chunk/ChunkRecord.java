package dev.ser.stream.chunk;

import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.SampleEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A validated audio chunk inside the job, with where it was read from (for dead letters raised
 * later). A Flink POJO: public fields and a no-argument constructor.
 */
public class ChunkRecord {
  public String callId;
  public String channel;
  public long sequence;
  public long captureTimestamp;
  public int sampleRate;
  public SampleEncoding encoding;
  public byte[] payload;
  public boolean endOfStream;
  public byte[] sourceKey;
  public String sourceTopic;
  public int sourcePartition;
  public long sourceOffset;
  /** The record's W3C {@code traceparent} header, when it had a valid one ({@link TraceParent}); else null. */
  public String traceparent;

  public ChunkRecord() {}

  /** The key of the per-channel state: call and channel, joined by a character ids may not hold. */
  public String streamKey() {
    return streamKey(callId, channel);
  }

  public static String streamKey(String callId, String channel) {
    return callId + '\u0000' + channel;
  }

  /** Samples in the payload. */
  public int sampleCount() {
    return payload.length / dev.ser.core.audio.PcmDecoder.bytesPerSample(encoding);
  }

  /** The chunk as it would travel on the input topic (re-encoded with the current schema). */
  public AudioChunk toAvro() {
    return AudioChunk.newBuilder().setCallId(callId).setChannel(channel).setSequence(sequence)
        .setCaptureTimestamp(Instant.ofEpochMilli(captureTimestamp)).setSampleRate(sampleRate).setEncoding(encoding)
        .setPayload(ByteBuffer.wrap(payload)).setEndOfStream(endOfStream).build();
  }

  @Override
  public String toString() {
    return "ChunkRecord{" + callId + "/" + channel + " #" + sequence + " " + sampleRate + " Hz " + encoding + " "
        + (payload == null ? 0 : payload.length) + " bytes" + (endOfStream ? " EOS" : "") + "}";
  }
}
