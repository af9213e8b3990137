package dev.ser.stream.scoring;

/**
 * An emotion event ready for Kafka: key (the utterance id), single-object-encoded value, and the
 * model that scored it (name/version, for the record's {@code ser-model} header).
 */
public class EventRecord {
  public String key;
  public byte[] value;
  public String model;

  public EventRecord() {}

  public EventRecord(String key, byte[] value, String model) {
    this.key = key;
    this.value = value;
    this.model = model;
  }
}
