package dev.ser.flink.format;

import dev.ser.schemas.WireFormat;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** Our record types by the names the format's {@code record} option takes. */
final class SerRecords {

  private SerRecords() {}

  static Class<? extends SpecificRecord> byName(String name) {
    if (!WireFormat.RECORD_NAMES.contains(name)) {
      throw new IllegalArgumentException("'ser-avro.record' must be one of " + WireFormat.RECORD_NAMES + ", got '"
          + name + "'");
    }
    try {
      return Class.forName("dev.ser.schemas." + name).asSubclass(SpecificRecord.class);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("dev.ser.schemas." + name + " is missing from the classpath", e);
    }
  }

  /** The newest released schema of {@code type}: what every version is read as. */
  static Schema schema(Class<? extends SpecificRecord> type) {
    try {
      return (Schema) type.getMethod("getClassSchema").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type + " has no getClassSchema()", e);
    }
  }
}
