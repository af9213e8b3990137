package dev.ser.stream.internal;

/** What the Kafka source emits: a valid chunk, or the dead letter for a record that is not one. */
public class SourceRecord {
  public ChunkRecord chunk;
  public DeadLetterRecord deadLetter;
  /** Event time: the chunk's capture time, or the Kafka record time for a dead letter. */
  public long eventTime;

  public SourceRecord() {}

  public static SourceRecord chunk(ChunkRecord chunk) {
    SourceRecord r = new SourceRecord();
    r.chunk = chunk;
    r.eventTime = chunk.captureTimestamp;
    return r;
  }

  public static SourceRecord deadLetter(DeadLetterRecord deadLetter, long recordTimestamp) {
    SourceRecord r = new SourceRecord();
    r.deadLetter = deadLetter;
    r.eventTime = recordTimestamp;
    return r;
  }
}
