package dev.ser.flink.format;

import dev.ser.schemas.WireFormat;
import java.io.IOException;
import java.util.HexFormat;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Decodes one record of our topics (single-object encoding: {@code C3 01}, the writer schema's
 * fingerprint, Avro binary) into a row. Every released version of the record is read, resolved to
 * the newest one; a record that is not one of them fails the query with the reason, or is skipped
 * with {@code ignoreParseErrors}.
 */
public final class SerAvroDeserializationSchema implements DeserializationSchema<RowData> {

  private static final long serialVersionUID = 1L;

  private final Class<? extends SpecificRecord> type;
  private final RowType rowType;
  private final TypeInformation<RowData> producedType;
  private final boolean ignoreParseErrors;
  private transient BinaryMessageDecoder<? extends SpecificRecord> decoder;
  private transient AvroRowConverter converter;

  public SerAvroDeserializationSchema(Class<? extends SpecificRecord> type, RowType rowType,
      TypeInformation<RowData> producedType, boolean ignoreParseErrors) {
    this.type = type;
    this.rowType = rowType;
    this.producedType = producedType;
    this.ignoreParseErrors = ignoreParseErrors;
    converter(); // a column that does not fit fails when the query is planned, not when data arrives
  }

  private AvroRowConverter converter() {
    if (converter == null) {
      converter = AvroRowConverter.of(SerRecords.schema(type), rowType);
    }
    return converter;
  }

  @Override
  public void open(InitializationContext context) {
    decoder = WireFormat.decoder(type);
    converter();
  }

  @Override
  public RowData deserialize(byte[] message) throws IOException {
    if (message == null) {
      return null; // a tombstone
    }
    if (decoder == null) {
      open(null);
    }
    try {
      return converter().convert(decoder.decode(message));
    } catch (IOException | RuntimeException e) {
      if (ignoreParseErrors) {
        return null;
      }
      String head = HexFormat.ofDelimiter(" ").formatHex(message, 0, Math.min(10, message.length));
      throw new IOException("not a " + type.getSimpleName() + " in the single-object encoding of a released version"
          + " (first bytes " + head + "): " + e.getMessage(), e);
    }
  }

  @Override
  public boolean isEndOfStream(RowData next) {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return producedType;
  }
}
