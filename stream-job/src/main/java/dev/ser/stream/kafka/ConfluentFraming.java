package dev.ser.stream.kafka;

import dev.ser.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.flink.annotation.Internal;

/**
 * Converts between our single-object encoding ({@code C3 01}, the 8-byte fingerprint little-endian,
 * the Avro body) and the framing of schema-registry serializers (Confluent's wire format, which
 * Apicurio, Karapace and Redpanda also read and write: a zero byte, the registry's 4-byte schema id
 * big-endian, the same Avro body). Only the header changes; the body bytes are copied as they are.
 */
@Internal
public final class ConfluentFraming {

  public static final byte MAGIC = 0;
  public static final int HEADER_BYTES = 5;
  private static final int SINGLE_OBJECT_HEADER_BYTES = 10;

  private ConfluentFraming() {}

  /** Whether {@code value} looks Confluent-framed: a zero byte and room for an id. */
  public static boolean isFramed(byte[] value) {
    return value != null && value.length >= HEADER_BYTES && value[0] == MAGIC;
  }

  /** The registry schema id of a Confluent-framed value. */
  public static int schemaId(byte[] framed) {
    if (!isFramed(framed)) {
      throw new IllegalArgumentException("not Confluent-framed: the value starts " + WireFormat.hex(framed, 5)
          + "; expected 00 and a 4-byte schema id");
    }
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  /** The CRC-64-AVRO fingerprint in a single-object-encoded value's header. */
  public static long fingerprint(byte[] singleObject) {
    if (singleObject.length < SINGLE_OBJECT_HEADER_BYTES || (singleObject[0] & 0xff) != 0xC3 || singleObject[1] != 1) {
      throw new IllegalArgumentException("not single-object encoded: the value starts " + WireFormat.hex(singleObject, 2));
    }
    return ByteBuffer.wrap(singleObject, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** {@code singleObject}'s body behind a Confluent header naming registry id {@code schemaId}. */
  public static byte[] frame(byte[] singleObject, int schemaId) {
    fingerprint(singleObject);
    int body = singleObject.length - SINGLE_OBJECT_HEADER_BYTES;
    return ByteBuffer.allocate(HEADER_BYTES + body).put(MAGIC).putInt(schemaId)
        .put(singleObject, SINGLE_OBJECT_HEADER_BYTES, body).array();
  }

  /** {@code framed}'s body behind a single-object header naming the writer schema's {@code fingerprint}. */
  public static byte[] unframe(byte[] framed, long fingerprint) {
    schemaId(framed);
    int body = framed.length - HEADER_BYTES;
    return ByteBuffer.allocate(SINGLE_OBJECT_HEADER_BYTES + body).order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) 0xC3).put((byte) 1).putLong(fingerprint).put(framed, HEADER_BYTES, body).array();
  }
}
