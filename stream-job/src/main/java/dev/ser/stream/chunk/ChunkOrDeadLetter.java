package dev.ser.stream.chunk;

/** What the Kafka source emits: a valid chunk, or the dead letter for a record that is not one. */
public class ChunkOrDeadLetter {
  public ChunkRecord chunk;
  public DeadLetterRecord deadLetter;
  /** Event time: the chunk's capture time, or the Kafka record time for a dead letter. */
  public long eventTime;

  public ChunkOrDeadLetter() {}

  public static ChunkOrDeadLetter chunk(ChunkRecord chunk) {
    ChunkOrDeadLetter r = new ChunkOrDeadLetter();
    r.chunk = chunk;
    r.eventTime = chunk.captureTimestamp;
    return r;
  }

  public static ChunkOrDeadLetter deadLetter(DeadLetterRecord deadLetter, long recordTimestamp) {
    ChunkOrDeadLetter r = new ChunkOrDeadLetter();
    r.deadLetter = deadLetter;
    r.eventTime = recordTimestamp;
    return r;
  }
}
