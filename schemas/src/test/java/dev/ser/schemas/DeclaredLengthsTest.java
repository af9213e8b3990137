package dev.ser.schemas;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class DeclaredLengthsTest {

  static final Schema SCHEMA = new Schema.Parser().parse("""
      {"type": "record", "name": "R", "fields": [
        {"name": "id", "type": "string"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "extra", "type": ["null", {"type": "map", "values": "long"}]},
        {"name": "ok", "type": "boolean"}]}""");

  interface Body {
    void write(BinaryEncoder e) throws Exception;
  }

  static byte[] bytes(Body body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
    body.write(e);
    e.flush();
    return out.toByteArray();
  }

  @Test
  void aWellFormedDatumPasses() throws Exception {
    byte[] ok = bytes(e -> {
      e.writeString("abc");
      e.writeArrayStart();
      e.setItemCount(2);
      e.startItem();
      e.writeString("x");
      e.startItem();
      e.writeString("yz");
      e.writeArrayEnd();
      e.writeIndex(1);
      e.writeMapStart();
      e.setItemCount(1);
      e.startItem();
      e.writeString("k");
      e.writeLong(-5);
      e.writeMapEnd();
      e.writeBoolean(true);
    });
    assertThatCode(() -> DeclaredLengths.check(SCHEMA, ok, 0)).doesNotThrowAnyException();
    assertThatThrownBy(() -> DeclaredLengths.check(SCHEMA, java.util.Arrays.copyOf(ok, ok.length - 1), 0))
        .hasMessage("field ok is cut short: the record ends 1 bytes too early");
  }

  @Test
  void lengthsCountsAndBranchesBeyondTheDataAreRefused() throws Exception {
    assertThatThrownBy(() -> DeclaredLengths.check(SCHEMA, bytes(e -> e.writeLong(1L << 40)), 0))
        .isInstanceOf(DeclaredLengths.Exceeded.class)
        .hasMessage("field id declares 1099511627776 bytes, but only 0 bytes of the record follow");
    assertThatThrownBy(() -> DeclaredLengths.check(SCHEMA, bytes(e -> e.writeLong(-3)), 0))
        .hasMessage("field id declares -3 bytes, but only 0 bytes of the record follow");
    assertThatThrownBy(() -> DeclaredLengths.check(SCHEMA, bytes(e -> {
      e.writeString("a");
      e.writeLong(2_000_000_000L); // array items
    }), 0)).hasMessage("field tags declares 2000000000 items, but only 0 bytes of the record follow");
    assertThatThrownBy(() -> DeclaredLengths.check(SCHEMA, bytes(e -> {
      e.writeString("a");
      e.writeLong(0);
      e.writeIndex(7);
    }), 0)).hasMessage("field extra names union branch 7 of 2");
    assertThatThrownBy(() -> DeclaredLengths.check(SCHEMA, new byte[] {(byte) 0x80, (byte) 0x80}, 0))
        .hasMessage("field id is cut short: the record ends inside a number");
  }
}
