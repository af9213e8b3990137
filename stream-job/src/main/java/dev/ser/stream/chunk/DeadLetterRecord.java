package dev.ser.stream.chunk;

import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.DeadLetterKind;
import java.nio.ByteBuffer;
import java.time.Instant;

/** A refused input record with its reason, on its way to the dead-letter topic. A Flink POJO. */
public class DeadLetterRecord {
  /**
   * Largest original value a dead letter carries. A larger one is left out (and the message says
   * so): a dead letter must always fit in a Kafka request (1 MB by default), or one oversized
   * record would fail the dead-letter sink and with it the job.
   */
  public static final int MAX_KEPT_VALUE_BYTES = 512 * 1024;

  public byte[] key;
  public byte[] value;
  public String sourceTopic;
  public int sourcePartition;
  public long sourceOffset;
  public DeadLetterKind kind;
  public String message;
  public long timestamp;

  public DeadLetterRecord() {}

  public static DeadLetterRecord of(byte[] key, byte[] value, String topic, int partition, long offset,
      DeadLetterKind kind, String message, long now) {
    DeadLetterRecord d = new DeadLetterRecord();
    if (value != null && value.length > MAX_KEPT_VALUE_BYTES) {
      message = message + " (the value, " + value.length + " bytes, is not kept: dead letters keep at most "
          + MAX_KEPT_VALUE_BYTES + ")";
      value = null;
    }
    if (key != null && key.length > 64 * 1024) {
      key = null;
    }
    d.key = key;
    d.value = value;
    d.sourceTopic = topic;
    d.sourcePartition = partition;
    d.sourceOffset = offset;
    d.kind = kind;
    d.message = message;
    d.timestamp = now;
    return d;
  }

  /** A dead letter for a chunk refused after validation; its value is the chunk re-encoded. */
  public static DeadLetterRecord of(ChunkRecord chunk, DeadLetterKind kind, String message, long now) {
    return of(chunk.sourceKey, dev.ser.schemas.WireFormat.encode(chunk.toAvro()), chunk.sourceTopic,
        chunk.sourcePartition, chunk.sourceOffset, kind, message, now);
  }

  public DeadLetter toAvro() {
    return DeadLetter.newBuilder().setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value)).setSourceTopic(sourceTopic)
        .setSourcePartition(sourcePartition).setSourceOffset(sourceOffset).setKind(kind).setMessage(message)
        .setTimestamp(Instant.ofEpochMilli(timestamp)).build();
  }

  @Override
  public String toString() {
    return "DeadLetter{" + kind + ": " + message + " @" + sourceTopic + "/" + sourcePartition + "/" + sourceOffset + "}";
  }
}
