package dev.ser.flink.format;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Turns one of our Avro records into a Flink row: each column is the record field of the same name,
 * so a table may declare any subset of the fields, in any order. Checked when built: a column that
 * is not a field, or whose type cannot hold the field, is an error naming both.
 *
 * <p>Field types to column types: string and enum to STRING (an enum as its symbol), int to INT or
 * BIGINT, long to BIGINT, float to FLOAT or DOUBLE, double to DOUBLE, boolean to BOOLEAN,
 * timestamp-millis to TIMESTAMP_LTZ(3) or TIMESTAMP(3) (UTC), arrays to ARRAY, records to ROW,
 * unions with null to the same type, nullable.
 */
final class AvroRowConverter implements Serializable {

  private static final long serialVersionUID = 1L;

  @FunctionalInterface
  interface Field extends Serializable {
    Object convert(Object avro);
  }

  private final int[] positions;
  private final Field[] fields;

  private AvroRowConverter(int[] positions, Field[] fields) {
    this.positions = positions;
    this.fields = fields;
  }

  /** The converter from records of {@code schema} to rows of {@code rowType}. */
  static AvroRowConverter of(Schema schema, RowType rowType) {
    return of(schema, rowType, schema.getName());
  }

  private static AvroRowConverter of(Schema schema, RowType rowType, String path) {
    List<String> names = rowType.getFieldNames();
    int[] positions = new int[names.size()];
    Field[] fields = new Field[names.size()];
    for (int i = 0; i < names.size(); i++) {
      Schema.Field f = schema.getField(names.get(i));
      if (f == null) {
        throw new IllegalArgumentException("column " + names.get(i) + " is not a field of " + path + " (its fields: "
            + schema.getFields().stream().map(Schema.Field::name).toList() + ")");
      }
      positions[i] = f.pos();
      fields[i] = field(f.schema(), rowType.getTypeAt(i), path + "." + f.name());
    }
    return new AvroRowConverter(positions, fields);
  }

  RowData convert(IndexedRecord record) {
    GenericRowData row = new GenericRowData(positions.length);
    for (int i = 0; i < positions.length; i++) {
      row.setField(i, fields[i].convert(record.get(positions[i])));
    }
    return row;
  }

  private static Field field(Schema avro, LogicalType column, String path) {
    if (avro.getType() == Schema.Type.UNION) {
      List<Schema> branches = avro.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
      if (branches.size() != 1) {
        throw new IllegalArgumentException(path + " is a union of " + avro.getTypes() + "; only [null, T] is supported");
      }
      Field inner = field(branches.get(0), column, path);
      return v -> v == null ? null : inner.convert(v);
    }
    String logical = avro.getLogicalType() == null ? "" : avro.getLogicalType().getName();
    switch (column.getTypeRoot()) {
      case CHAR, VARCHAR -> {
        if (avro.getType() == Schema.Type.STRING || avro.getType() == Schema.Type.ENUM) {
          return v -> StringData.fromString(v.toString());
        }
      }
      case BOOLEAN -> {
        if (avro.getType() == Schema.Type.BOOLEAN) {
          return v -> v;
        }
      }
      case INTEGER -> {
        if (avro.getType() == Schema.Type.INT && logical.isEmpty()) {
          return v -> v;
        }
      }
      case BIGINT -> {
        if ((avro.getType() == Schema.Type.INT || avro.getType() == Schema.Type.LONG) && logical.isEmpty()) {
          return v -> ((Number) v).longValue();
        }
      }
      case FLOAT -> {
        if (avro.getType() == Schema.Type.FLOAT) {
          return v -> v;
        }
      }
      case DOUBLE -> {
        if (avro.getType() == Schema.Type.FLOAT || avro.getType() == Schema.Type.DOUBLE) {
          return v -> ((Number) v).doubleValue();
        }
      }
      case TIMESTAMP_WITH_LOCAL_TIME_ZONE, TIMESTAMP_WITHOUT_TIME_ZONE -> {
        if (avro.getType() == Schema.Type.LONG && logical.equals("timestamp-millis")) {
          return v -> v instanceof Instant i ? TimestampData.fromInstant(i) : TimestampData.fromEpochMillis((Long) v);
        }
      }
      case ARRAY -> {
        if (avro.getType() == Schema.Type.ARRAY) {
          Field element = field(avro.getElementType(), ((ArrayType) column).getElementType(), path + "[]");
          return v -> {
            List<?> list = (List<?>) v;
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
              out.add(element.convert(o));
            }
            return new GenericArrayData(out.toArray());
          };
        }
      }
      case ROW -> {
        if (avro.getType() == Schema.Type.RECORD) {
          AvroRowConverter nested = of(avro, (RowType) column, path);
          return v -> nested.convert((IndexedRecord) v);
        }
      }
      default -> {
        // no other column type holds one of our fields
      }
    }
    throw new IllegalArgumentException(String.format(Locale.ROOT, "column %s is declared %s, which cannot hold the"
        + " field's Avro type %s", path, column.asSummaryString(), logical.isEmpty() ? avro.getType() : avro.getType()
        + " (" + logical + ")"));
  }
}
