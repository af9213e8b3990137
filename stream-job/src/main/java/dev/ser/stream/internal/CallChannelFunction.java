package dev.ser.stream.internal;

import dev.ser.schemas.DeadLetterKind;
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
 *
 * <p>A parallel task holds at most {@code maxOpenChannels} open channels (closed ones, kept only
 * to refuse late chunks, do not count): the first chunk of one more channel is a
 * {@code TOO_MANY_CHANNELS} dead letter and no state is created for it, so a flood of call ids
 * cannot exhaust the TaskManager's memory. Run it in a {@link CallChannelOperator}, which recounts
 * the open channels after a restore.
 */
public final class CallChannelFunction extends KeyedProcessFunction<String, ChunkRecord, UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
  /** The per-channel state; {@link CallChannelOperator} iterates it after a restore. */
  static final ValueStateDescriptor<ChannelState> STATE = new ValueStateDescriptor<>("channel",
      ChannelStateSerializer.INSTANCE);

  private final ChannelAssembler assembler;
  private final int maxOpenChannels;
  /** Channels of this task with state that are not closed. */
  private transient long openChannels;
  private transient ValueState<ChannelState> state;
  private transient Counter chunksIn;
  private transient Counter utterances;
  private transient Counter duplicates;
  private transient Counter gapsFilled;
  private transient Counter deadLetters;
  /** The output of the element or timer being handled; one instance, re-pointed per call. */
  private transient ContextOutput output;

  public CallChannelFunction(AssemblyConfig config, int maxOpenChannels) {
    if (maxOpenChannels < 1) {
      throw new IllegalArgumentException("maxOpenChannels must be >= 1, got " + maxOpenChannels);
    }
    this.assembler = new ChannelAssembler(config);
    this.maxOpenChannels = maxOpenChannels;
  }

  /** Open channels of this task (a gauge, and what the limit compares with). */
  public long openChannels() {
    return openChannels;
  }

  /** Called by {@link CallChannelOperator} with the open channels found in restored state. */
  void restoredOpenChannels(long count) {
    openChannels = count;
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(STATE);
    openChannels = 0;
    var metrics = getRuntimeContext().getMetricGroup();
    metrics.gauge("openChannels", () -> openChannels);
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
    long now = ctx.timerService().currentProcessingTime();
    if (s == null) {
      if (openChannels >= maxOpenChannels) {
        output(ctx, out).deadLetter(DeadLetterRecord.of(chunk, DeadLetterKind.TOO_MANY_CHANNELS, "chunk "
            + chunk.sequence + " of " + chunk.callId + "/" + chunk.channel + " would open a new channel, but this task"
            + " already has " + openChannels + " open channels (max-channels-per-task=" + maxOpenChannels + "); raise"
            + " max-channels-per-task or the job's parallelism, or look for a client inventing call ids", now));
        return;
      }
      s = new ChannelState(chunk.callId, chunk.channel);
      openChannels++;
    }
    boolean wasOpen = !s.closed;
    assembler.onChunk(s, chunk, now, ctx.timerService().currentWatermark(), output(ctx, out));
    if (wasOpen && s.closed) {
      openChannels--;
    }
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
    boolean wasOpen = !s.closed;
    boolean gone = assembler.onTimer(s, ctx.timerService().currentProcessingTime(), output(ctx, out));
    if (wasOpen && (s.closed || gone)) {
      openChannels--;
    }
    if (gone) {
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
