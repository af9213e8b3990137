package dev.ser.stream.scoring;

/**
 * An emotion event ready for Kafka: key (the utterance id), single-object-encoded value, and the
 * model that scored it (name/version, for the record's {@code ser-model} header) and the trace it
 * belongs to, if its audio carried one.
 */
public class EventRecord {
  public String key;
  /** The call, so the call stage can key events without decoding them. */
  public String callId;
  public byte[] value;
  public String model;
  /** The W3C traceparent carried from the chunk that ended the utterance, or null. */
  public String traceparent;

  public EventRecord() {}

  public EventRecord(String key, byte[] value, String model) {
    this.key = key;
    this.value = value;
    this.model = model;
  }
}
