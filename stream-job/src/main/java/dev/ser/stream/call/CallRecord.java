package dev.ser.stream.call;

/** An alert or a summary ready for Kafka: key, single-object-encoded value, and the schema's content type. Flink POJO. */
public class CallRecord {
  public String key;
  public byte[] value;
  /** The {@code content-type} header: the released schema and its header bytes. */
  public String contentType;

  public CallRecord() {}

  public CallRecord(String key, byte[] value, String contentType) {
    this.key = key;
    this.value = value;
    this.contentType = contentType;
  }
}
