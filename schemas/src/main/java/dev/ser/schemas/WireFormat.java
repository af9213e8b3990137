package dev.ser.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one wire format of every value on our Kafka topics: Avro single-object encoding
 * ({@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint little-endian, then the
 * Avro binary body). Readers resolve the fingerprint against every released version of the
 * schema, which ship in this jar under {@code dev/ser/schemas/history/NAME/vN.avsc}, so old and
 * new producers and consumers interoperate without a schema registry.
 */
public final class WireFormat {

  /** Top-level record types that travel on topics, in the order their history is loaded. */
  public static final List<String> RECORD_NAMES = List.of("AudioChunk", "EmotionEvent", "DeadLetter", "CallAlert",
      "CallSummary", "ModelUpdate", "ModelStatus");

  private static final String HISTORY_ROOT = "/dev/ser/schemas/history/";
  private static final SchemaStore.Cache HISTORY = loadHistory();

  private WireFormat() {}

  /** Encodes a record of ours as a single-object-encoded byte array. */
  public static byte[] encode(SpecificRecord record) {
    BinaryMessageEncoder<SpecificRecord> encoder =
        new BinaryMessageEncoder<>(SpecificData.get(), record.getSchema());
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + record.getSchema().getName(), e);
    }
  }

  /**
   * A decoder into {@code type} that accepts any released writer version. Decoders are not
   * thread-safe: keep one per thread or operator instance.
   *
   * <p>Errors it throws: {@link org.apache.avro.message.BadHeaderException} (not single-object
   * encoded), {@link org.apache.avro.message.MissingSchemaException} (fingerprint of no known
   * version), {@link org.apache.avro.AvroRuntimeException} or {@link IOException} (truncated or
   * corrupt body).
   */
  public static <T extends SpecificRecord> BinaryMessageDecoder<T> decoder(Class<T> type) {
    Schema readerSchema = SpecificData.get().getSchema(type);
    return new BinaryMessageDecoder<>(SpecificData.get(), readerSchema, HISTORY);
  }

  /**
   * Refuses a single-object-encoded message whose fields declare more bytes or items than the
   * message holds ({@link DeclaredLengths}), before a decoder would allocate them. A message without
   * our header or with an unknown fingerprint passes: the decoder reports those.
   */
  public static void checkDeclaredLengths(byte[] message) throws DeclaredLengths.Exceeded {
    if (message.length < 10 || message[0] != (byte) 0xC3 || message[1] != (byte) 0x01) {
      return;
    }
    long fingerprint = ByteBuffer.wrap(message, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = HISTORY.findByFingerprint(fingerprint);
    if (writer != null) {
      DeclaredLengths.check(writer, message, 10);
    }
  }

  /**
   * The 10 header bytes a record written with {@code schema} starts with, in hex ("c3 01" and the
   * schema's CRC-64-AVRO fingerprint, little-endian): what readers in other languages compare.
   */
  public static String headerHex(Schema schema) {
    long fingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(schema);
    byte[] header = ByteBuffer.allocate(10).order(java.nio.ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
        .putLong(fingerprint).array();
    return hex(header, 10);
  }

  /**
   * The {@code content-type} Kafka header of a record written with {@code schema}, a released
   * schema: {@code application/avro; encoding=single-object; schema=NAME/vN; header=HEX} (the
   * header bytes without spaces), so a consumer can route or check records without decoding them.
   */
  public static String contentType(Schema schema) {
    return "application/avro; encoding=single-object; schema=" + release(schema) + "; header="
        + headerHex(schema).replace(" ", "");
  }

  /** Which released schema {@code schema} is, as {@code NAME/vN}; refused when it is none of schemas/history. */
  public static String release(Schema schema) {
    String name = schema.getName();
    List<Schema> versions = history(name);
    long fingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(schema);
    for (int v = versions.size(); v >= 1; v--) {
      if (org.apache.avro.SchemaNormalization.parsingFingerprint64(versions.get(v - 1)) == fingerprint) {
        return name + "/v" + v;
      }
    }
    throw new IllegalArgumentException(name + " is not a released schema (not in schemas/history)");
  }

  /** The first {@code n} bytes of {@code bytes} in hex, space-separated. */
  public static String hex(byte[] bytes, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(n, bytes.length); i++) {
      out.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
    }
    return out.toString();
  }

  /** Every released version of the named record, oldest first ({@code v1}, {@code v2}, ...). */
  public static List<Schema> history(String recordName) {
    List<Schema> versions = new ArrayList<>();
    for (int v = 1; ; v++) {
      String path = HISTORY_ROOT + recordName + "/v" + v + ".avsc";
      try (InputStream in = WireFormat.class.getResourceAsStream(path)) {
        if (in == null) {
          break;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history " + path, e);
      }
    }
    if (versions.isEmpty()) {
      throw new IllegalStateException("no schema history for " + recordName + " under " + HISTORY_ROOT);
    }
    return Collections.unmodifiableList(versions);
  }

  private static SchemaStore.Cache loadHistory() {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    for (String name : RECORD_NAMES) {
      history(name).forEach(cache::addSchema);
    }
    return cache;
  }
}
