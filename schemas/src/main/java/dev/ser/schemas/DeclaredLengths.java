package dev.ser.schemas;

import java.io.IOException;
import org.apache.avro.Schema;

/**
 * Checks a binary-encoded Avro datum's declared lengths against the bytes that are really there,
 * before a decoder sees it: Avro allocates whatever a string, bytes, array or map declares (up to
 * about 2 GiB) before reading it, so a 20-byte record can throw {@code OutOfMemoryError}. Walks the
 * writer schema over the bytes without allocating anything per field.
 */
public final class DeclaredLengths {

  /** A declared length or count the datum cannot hold, or a datum cut short. */
  public static final class Exceeded extends IOException {
    private static final long serialVersionUID = 1L;

    Exceeded(String message) {
      super(message);
    }
  }

  private final byte[] data;
  private int pos;

  private DeclaredLengths(byte[] data, int from) {
    this.data = data;
    this.pos = from;
  }

  /** Checks the datum of {@code writer} in {@code data} from offset {@code from}. */
  public static void check(Schema writer, byte[] data, int from) throws Exceeded {
    new DeclaredLengths(data, from).walk(writer, writer.getName());
  }

  private int remaining() {
    return data.length - pos;
  }

  private void walk(Schema s, String field) throws Exceeded {
    switch (s.getType()) {
      case NULL -> { }
      case BOOLEAN -> skip(1, field);
      case INT, LONG, ENUM -> readLong(field);
      case FLOAT -> skip(4, field);
      case DOUBLE -> skip(8, field);
      case FIXED -> skip(s.getFixedSize(), field);
      case STRING, BYTES -> {
        long length = readLong(field);
        if (length < 0 || length > remaining()) {
          throw new Exceeded("field " + field + " declares " + length + " bytes, but only " + remaining()
              + " bytes of the record follow");
        }
        pos += (int) length;
      }
      case UNION -> {
        long branch = readLong(field);
        if (branch < 0 || branch >= s.getTypes().size()) {
          throw new Exceeded("field " + field + " names union branch " + branch + " of " + s.getTypes().size());
        }
        walk(s.getTypes().get((int) branch), field);
      }
      case RECORD -> {
        for (Schema.Field f : s.getFields()) {
          walk(f.schema(), f.name());
        }
      }
      case ARRAY, MAP -> {
        for (long count = blockCount(field); count != 0; count = blockCount(field)) {
          for (long i = 0; i < count; i++) {
            if (s.getType() == Schema.Type.MAP) {
              walk(Schema.create(Schema.Type.STRING), field);
            }
            walk(s.getType() == Schema.Type.MAP ? s.getValueType() : s.getElementType(), field);
          }
        }
      }
    }
  }

  /** The item count of the next block; every item takes at least one byte, so it cannot exceed what is left. */
  private long blockCount(String field) throws Exceeded {
    long count = readLong(field);
    if (count < 0) {
      count = -count;
      readLong(field); // the block's size in bytes
    }
    if (count > remaining()) {
      throw new Exceeded("field " + field + " declares " + count + " items, but only " + remaining()
          + " bytes of the record follow");
    }
    return count;
  }

  private void skip(int bytes, String field) throws Exceeded {
    if (bytes > remaining()) {
      throw new Exceeded("field " + field + " is cut short: the record ends " + (bytes - remaining())
          + " bytes too early");
    }
    pos += bytes;
  }

  /** A zig-zag varint, as Avro writes int, long, enum and every length. */
  private long readLong(String field) throws Exceeded {
    long raw = 0;
    for (int shift = 0; ; shift += 7) {
      if (pos >= data.length) {
        throw new Exceeded("field " + field + " is cut short: the record ends inside a number");
      }
      if (shift > 63) {
        throw new Exceeded("field " + field + " holds a number longer than 10 bytes");
      }
      int b = data[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
  }
}
