package dev.ser.flink.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.ClassScore;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

class SerAvroDeserializationSchemaTest {

  static final RowType EVENT_COLUMNS = (RowType) DataTypes.ROW(
      DataTypes.FIELD("label", DataTypes.STRING()),
      DataTypes.FIELD("callId", DataTypes.STRING()),
      DataTypes.FIELD("utteranceIndex", DataTypes.BIGINT()),
      DataTypes.FIELD("confidence", DataTypes.DOUBLE()),
      DataTypes.FIELD("endTime", DataTypes.TIMESTAMP_LTZ(3)),
      DataTypes.FIELD("scores", DataTypes.ARRAY(DataTypes.ROW(
          DataTypes.FIELD("label", DataTypes.STRING()), DataTypes.FIELD("score", DataTypes.FLOAT())))),
      DataTypes.FIELD("uncertain", DataTypes.BOOLEAN())).getLogicalType();

  static EmotionEvent event(String call, int index, String label, boolean uncertain) {
    return EmotionEvent.newBuilder().setCallId(call).setChannel("customer").setUtteranceId(call + "/customer/" + index)
        .setUtteranceIndex(index).setStartTime(Instant.ofEpochMilli(1_700_000_000_000L + 4000L * index))
        .setEndTime(Instant.ofEpochMilli(1_700_000_001_500L + 4000L * index)).setLabel(label).setConfidence(0.75f)
        .setScores(List.of(new ClassScore(label, 0.75f), new ClassScore("neutral", 0.25f)))
        .setModelName("ms-senet-emodb").setModelVersion("2").setProcessingLatencyMs(40).setUncertain(uncertain).build();
  }

  private static SerAvroDeserializationSchema schema(RowType columns, boolean ignore) {
    return new SerAvroDeserializationSchema(EmotionEvent.class, columns, null, ignore);
  }

  @Test
  void anEventBecomesARowWithItsColumnsByName() throws Exception {
    RowData row = schema(EVENT_COLUMNS, false).deserialize(WireFormat.encode(event("c1", 3, "angry", true)));
    assertThat(row.getString(0).toString()).isEqualTo("angry");
    assertThat(row.getString(1).toString()).isEqualTo("c1");
    assertThat(row.getLong(2)).isEqualTo(3L);
    assertThat(row.getDouble(3)).isEqualTo(0.75);
    assertThat(row.getTimestamp(4, 3)).isEqualTo(TimestampData.fromEpochMillis(1_700_000_013_500L));
    ArrayData scores = row.getArray(5);
    assertThat(scores.size()).isEqualTo(2);
    assertThat(scores.getRow(1, 2).getString(0).toString()).isEqualTo("neutral");
    assertThat(scores.getRow(1, 2).getFloat(1)).isEqualTo(0.25f);
    assertThat(row.getBoolean(6)).isTrue();
  }

  @Test
  void anEventOfTheFirstReleasedVersionIsReadToo() throws Exception {
    Schema v1;
    try (InputStream in = WireFormat.class.getResourceAsStream("/dev/ser/schemas/history/EmotionEvent/v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    assertThat(v1.getField("uncertain")).isNull();
    GenericRecord old = new GenericData.Record(v1);
    EmotionEvent now = event("c0", 0, "sad", false);
    for (Schema.Field f : v1.getFields()) {
      Object v = now.get(f.name());
      if (v instanceof Instant i) {
        v = i.toEpochMilli();
      } else if (v instanceof List<?> list) {
        Schema item = f.schema().getElementType();
        v = list.stream().map(s -> {
          GenericRecord r = new GenericData.Record(item);
          r.put("label", ((ClassScore) s).getLabel());
          r.put("score", ((ClassScore) s).getScore());
          return r;
        }).toList();
      }
      old.put(f.name(), v);
    }
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    RowData row = schema(EVENT_COLUMNS, false).deserialize(bytes.array());
    assertThat(row.getString(0).toString()).isEqualTo("sad");
    assertThat(row.getBoolean(6)).isFalse(); // v2's default
  }

  @Test
  void aRecordThatIsNoReleasedVersionFailsWithItsFirstBytesOrIsSkipped() throws Exception {
    byte[] garbage = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assertThatThrownBy(() -> schema(EVENT_COLUMNS, false).deserialize(garbage)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("not a EmotionEvent in the single-object encoding of a released version (first bytes"
            + " c3 01 01 02 03 04 05 06 07 08): ");
    assertThat(schema(EVENT_COLUMNS, true).deserialize(garbage)).isNull();
    assertThat(schema(EVENT_COLUMNS, false).deserialize(null)).isNull();
  }

  @Test
  void aColumnThatIsNoFieldOrCannotHoldItIsRefusedWhenPlanned() {
    RowType unknown = (RowType) DataTypes.ROW(DataTypes.FIELD("emotion", DataTypes.STRING())).getLogicalType();
    assertThatThrownBy(() -> schema(unknown, false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("column emotion is not a field of EmotionEvent (its fields: [callId, channel,");
    RowType narrow = (RowType) DataTypes.ROW(DataTypes.FIELD("processingLatencyMs", DataTypes.INT())).getLogicalType();
    assertThatThrownBy(() -> schema(narrow, false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("column EmotionEvent.processingLatencyMs is declared INT, which cannot hold the field's Avro type LONG");
    assertThatThrownBy(() -> SerRecords.byName("Emotion")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'ser-avro.record' must be one of " + WireFormat.RECORD_NAMES + ", got 'Emotion'");
  }
}
