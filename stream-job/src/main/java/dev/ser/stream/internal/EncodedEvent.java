package dev.ser.stream.internal;

/** An emotion event ready for Kafka: key (the utterance id) and single-object-encoded value. */
public class EncodedEvent {
  public String key;
  public byte[] value;

  public EncodedEvent() {}

  public EncodedEvent(String key, byte[] value) {
    this.key = key;
    this.value = value;
  }
}
