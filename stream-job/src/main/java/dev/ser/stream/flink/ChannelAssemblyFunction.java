package dev.ser.stream.flink;

import dev.ser.stream.assembly.ChannelAssembler;
import dev.ser.stream.assembly.ChannelAssemblySettings;
import dev.ser.stream.assembly.ChannelState;
import dev.ser.stream.assembly.JobClock;
import dev.ser.stream.assembly.TaskChannels;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flink wiring of {@link TaskChannels}, keyed by (call, channel): one value state per channel
 * and at most one processing-time timer, re-armed lazily (an idle timer that fires early re-arms
 * itself instead of being moved on every chunk). After a channel closes and its retention passes,
 * its state is cleared and no timer remains. The decisions (order, gaps, segmentation, the
 * per-task channel limit) are {@link TaskChannels}'; run this function in a
 * {@link ChannelAssemblyOperator}, which recounts the open channels after a restore and resumes
 * the {@link JobClock}. Every wait counts job time; timers are set, and the times the outputs
 * carry are stated, in wall time.
 */
@Internal
public final class ChannelAssemblyFunction extends KeyedProcessFunction<String, ChunkRecord, UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  /** Dead letters of every stage, to the dead-letter sink. */
  public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
  /** The per-channel state; {@link ChannelAssemblyOperator} iterates it after a restore. */
  static final ValueStateDescriptor<KeyedChannel> STATE = new ValueStateDescriptor<>("channel",
      KeyedChannelSerializer.INSTANCE);

  private final TaskChannels channels;
  /** Job time: wall time without the downtime of past restores ({@link ChannelAssemblyOperator} resumes it). */
  private final JobClock clock = new JobClock();
  private transient ValueState<KeyedChannel> state;
  private transient Counter chunksIn;
  private transient Counter utterances;
  private transient Counter duplicates;
  private transient Counter gapsFilled;
  private transient Counter deadLetters;
  /** The output of the element or timer being handled; one instance, re-pointed per call. */
  private transient ContextOutput output;

  public ChannelAssemblyFunction(ChannelAssemblySettings settings, int maxOpenChannels) {
    this.channels = new TaskChannels(settings, maxOpenChannels);
  }

  /** Open channels of this task. */
  public long openChannels() {
    return channels.openChannels();
  }

  JobClock clock() {
    return clock;
  }

  /** Called by {@link ChannelAssemblyOperator} with the open channels found in restored state. */
  void restoredOpenChannels(long count) {
    channels.restored(count);
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(STATE);
    channels.restored(0);
    var metrics = getRuntimeContext().getMetricGroup();
    JobMetrics.gauge(metrics, "open_channels", "openChannels", channels::openChannels);
    chunksIn = JobMetrics.counter(metrics, "chunks_in", "chunksIn");
    utterances = JobMetrics.counter(metrics, "utterances", "utterances");
    duplicates = JobMetrics.counter(metrics, "reorder_drops", "reorderDrops");
    gapsFilled = JobMetrics.counter(metrics, "gaps_filled", "gapsFilled");
    deadLetters = JobMetrics.counter(metrics, "dead_letters", "deadLetters");
    output = new ContextOutput();
  }

  @Override
  public void processElement(ChunkRecord chunk, Context ctx, Collector<UtteranceRecord> out) throws Exception {
    chunksIn.inc();
    KeyedChannel k = state.value();
    ChannelState s = channels.onChunk(k == null ? null : k.channel, chunk,
        clock.now(ctx.timerService().currentProcessingTime()), ctx.timerService().currentWatermark(), output(ctx, out));
    if (s == null) { // refused before a channel opened, or closed without an utterance: nothing to keep
      if (k != null) {
        if (k.timerAtMs >= 0) {
          ctx.timerService().deleteProcessingTimeTimer(k.timerAtMs);
        }
        state.clear();
      }
      return;
    }
    if (k == null) {
      k = new KeyedChannel(s);
    }
    arm(k, ctx);
    state.update(k);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<UtteranceRecord> out) throws Exception {
    KeyedChannel k = state.value();
    if (k == null) {
      return;
    }
    k.timerAtMs = -1; // this one fired
    if (channels.onTimer(k.channel, clock.now(ctx.timerService().currentProcessingTime()), output(ctx, out)) == null) {
      state.clear();
      return;
    }
    arm(k, ctx);
    state.update(k);
  }

  /** Keeps one timer at the channel's next deadline; {@code timerAtMs} is wall time (a restored one may be early). */
  private void arm(KeyedChannel k, Context ctx) {
    long deadline = clock.toWall(channels.nextDeadline(k.channel));
    if (k.timerAtMs < 0 || deadline < k.timerAtMs) {
      if (k.timerAtMs >= 0) {
        ctx.timerService().deleteProcessingTimeTimer(k.timerAtMs);
      }
      ctx.timerService().registerProcessingTimeTimer(deadline);
      k.timerAtMs = deadline;
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
      u.closedAtMs = clock.toWall(u.closedAtMs); // the event's processing latency is measured in wall time
      out.collect(u);
    }

    @Override
    public void deadLetter(DeadLetterRecord d) {
      deadLetters.inc();
      d.timestamp = clock.toWall(d.timestamp);
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
