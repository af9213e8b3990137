package dev.ser.stream.scoring;

/** An emotion event ready for Kafka: key (the utterance id) and single-object-encoded value. */
public class EventRecord {
  public String key;
  public byte[] value;

  public EventRecord() {}

  public EventRecord(String key, byte[] value) {
    this.key = key;
    this.value = value;
  }
}
