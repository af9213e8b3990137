package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.chunk.ChunkOrDeadLetter;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class ChunkWatermarksTest {

  static final class Emitted implements WatermarkOutput {
    final List<Long> marks = new ArrayList<>();

    @Override
    public void emitWatermark(Watermark watermark) {
      marks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }

  static ChunkOrDeadLetter chunkAt(long t) {
    ChunkRecord c = new ChunkRecord();
    c.captureTimestamp = t;
    return ChunkOrDeadLetter.chunk(c);
  }

  @Test
  void onlyChunksMoveEventTimeNotDeadLettersWhateverTheirRecordTimestamp() {
    ChunkWatermarks w = new ChunkWatermarks(1000);
    Emitted out = new Emitted();
    w.onEvent(chunkAt(10_000), 10_000, out);
    w.onPeriodicEmit(out);
    // a refused record stamped a day ahead by its producer
    DeadLetterRecord d = DeadLetterRecord.of(null, new byte[] {1}, "in", 0, 5, DeadLetterKind.BAD_AVRO, "x", 0);
    w.onEvent(ChunkOrDeadLetter.deadLetter(d, 86_400_000L), 86_400_000L, out);
    w.onPeriodicEmit(out);
    w.onEvent(chunkAt(12_000), 12_000, out);
    w.onPeriodicEmit(out);
    assertThat(out.marks).containsExactly(8_999L, 8_999L, 10_999L);
  }
}
