package dev.ser.stream.flink;

import dev.ser.stream.chunk.ChunkOrDeadLetter;
import dev.ser.stream.chunk.ChunkRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Valid chunks go on; dead letters from the source go to the dead-letter side output. */
@Internal
public final class DeadLetterRouter extends ProcessFunction<ChunkOrDeadLetter, ChunkRecord> {

  private static final long serialVersionUID = 1L;
  private transient Counter records;
  private transient Counter deadLetters;

  @Override
  public void open(OpenContext openContext) {
    records = JobMetrics.counter(getRuntimeContext().getMetricGroup(), "records_in", "recordsIn");
    deadLetters = JobMetrics.counter(getRuntimeContext().getMetricGroup(), "dead_letters", "deadLetters");
  }

  @Override
  public void processElement(ChunkOrDeadLetter r, Context ctx, Collector<ChunkRecord> out) {
    records.inc();
    if (r.chunk != null) {
      out.collect(r.chunk);
    } else {
      deadLetters.inc();
      ctx.output(ChannelAssemblyFunction.DEAD_LETTERS, r.deadLetter);
    }
  }
}
