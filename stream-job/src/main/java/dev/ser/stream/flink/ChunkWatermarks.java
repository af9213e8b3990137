package dev.ser.stream.flink;

import dev.ser.stream.chunk.ChunkOrDeadLetter;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks from the capture times of valid chunks only. A dead letter
 * keeps its record's timestamp (the dead-letter topic carries it), but what a producer stamped on a
 * record the job refused must not move event time: one record stamped a day ahead would otherwise
 * make every later chunk of every call late.
 */
@Internal
public final class ChunkWatermarks implements WatermarkGenerator<ChunkOrDeadLetter> {

  private final long outOfOrdernessMs;
  private long maxTimestamp;

  public ChunkWatermarks(long outOfOrdernessMs) {
    this.outOfOrdernessMs = outOfOrdernessMs;
    this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMs + 1;
  }

  @Override
  public void onEvent(ChunkOrDeadLetter r, long timestamp, WatermarkOutput output) {
    if (r.chunk != null) {
      maxTimestamp = Math.max(maxTimestamp, r.eventTime);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMs - 1));
  }
}
