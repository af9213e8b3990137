package dev.ser.stream.internal;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flink wiring of {@link ChannelAssembler}, keyed by (call, channel): one value state per channel
 * and at most one processing-time timer, re-armed lazily (an idle timer that fires early re-arms
 * itself instead of being moved on every chunk). After a channel closes and its retention passes,
 * its state is cleared and no timer remains.
 */
public final class CallChannelFunction extends KeyedProcessFunction<String, ChunkRecord, UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final ChannelAssembler assembler;
  private transient ValueState<ChannelState> state;
  private transient Counter chunksIn;
  private transient Counter utterances;
  private transient Counter duplicates;
  private transient Counter gapsFilled;
  private transient Counter deadLetters;
  /** The output of the element or timer being handled; one instance, re-pointed per call. */
  private transient ContextOutput output;

  public CallChannelFunction(AssemblyConfig config) {
    this.assembler = new ChannelAssembler(config);
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("channel", ChannelStateSerializer.INSTANCE));
    var metrics = getRuntimeContext().getMetricGroup();
    chunksIn = metrics.counter("chunksIn");
    utterances = metrics.counter("utterances");
    duplicates = metrics.counter("reorderDrops");
    gapsFilled = metrics.counter("gapsFilled");
    deadLetters = metrics.counter("deadLetters");
    output = new ContextOutput();
  }

  @Override
  public void processElement(ChunkRecord chunk, Context ctx, Collector<UtteranceRecord> out) throws Exception {
    chunksIn.inc();
    ChannelState s = state.value();
    if (s == null) {
      s = new ChannelState(chunk.callId, chunk.channel);
    }
    long now = ctx.timerService().currentProcessingTime();
    assembler.onChunk(s, chunk, now, ctx.timerService().currentWatermark(), output(ctx, out));
    arm(s, ctx);
    state.update(s);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<UtteranceRecord> out) throws Exception {
    ChannelState s = state.value();
    if (s == null) {
      return;
    }
    s.timerAtMs = -1; // this one fired
    if (assembler.onTimer(s, ctx.timerService().currentProcessingTime(), output(ctx, out))) {
      state.clear();
      return;
    }
    arm(s, ctx);
    state.update(s);
  }

  private void arm(ChannelState s, Context ctx) {
    long deadline = assembler.nextDeadline(s);
    if (s.timerAtMs < 0 || deadline < s.timerAtMs) {
      if (s.timerAtMs >= 0) {
        ctx.timerService().deleteProcessingTimeTimer(s.timerAtMs);
      }
      ctx.timerService().registerProcessingTimeTimer(deadline);
      s.timerAtMs = deadline;
    }
  }

  private ChannelAssembler.Output output(Context ctx, Collector<UtteranceRecord> out) {
    output.ctx = ctx;
    output.out = out;
    return output;
  }

  private final class ContextOutput implements ChannelAssembler.Output {
    Context ctx;
    Collector<UtteranceRecord> out;

    @Override
    public void utterance(UtteranceRecord u) {
      utterances.inc();
      out.collect(u);
    }

    @Override
    public void deadLetter(DeadLetterRecord d) {
      deadLetters.inc();
      ctx.output(DEAD_LETTERS, d);
    }

    @Override
    public void duplicate(ChunkRecord chunk) {
      duplicates.inc();
    }

    @Override
    public void gapFilled(long missingChunks, long silenceSamples) {
      gapsFilled.inc();
    }
  }
}
