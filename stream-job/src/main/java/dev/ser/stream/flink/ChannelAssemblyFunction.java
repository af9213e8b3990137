package dev.ser.stream.flink;

import dev.ser.stream.assembly.ChannelAssembler;
import dev.ser.stream.assembly.ChannelAssemblySettings;
import dev.ser.stream.assembly.ChannelState;
import dev.ser.stream.assembly.JobClock;
import dev.ser.stream.assembly.TaskChannels;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.call.ChannelNotice;
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
  /** Every utterance found and every channel closed, without audio: to the call stage. */
  public static final OutputTag<ChannelNotice> CHANNEL_NOTICES = new OutputTag<>("channel-notices") {};
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

  /** Under which key code runs: the channel's own, or another's ({@link ChannelAssemblyOperator} sets it). */
  interface Keys {
    void run(String key, org.apache.flink.util.function.ThrowingRunnable<Exception> action) throws Exception;
  }

  private transient Keys keys;

  public ChannelAssemblyFunction(ChannelAssemblySettings settings, int maxOpenChannels) {
    this(settings, maxOpenChannels, TaskChannels.DEFAULT_MAX_CLOSED_CHANNELS);
  }

  public ChannelAssemblyFunction(ChannelAssemblySettings settings, int maxOpenChannels, int maxClosedChannels) {
    this.channels = new TaskChannels(settings, maxOpenChannels, maxClosedChannels);
  }

  /** Open channels of this task. */
  public long openChannels() {
    return channels.openChannels();
  }

  JobClock clock() {
    return clock;
  }

  /** Called by {@link ChannelAssemblyOperator} with the channels found in restored state. */
  void restored(Iterable<ChannelState> states) {
    channels.restored(states);
  }

  /** Called by {@link ChannelAssemblyOperator}: how to reach another channel's state and timers. */
  void useKeys(Keys keys) {
    this.keys = keys;
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(STATE);
    channels.restored(java.util.List.of());
    var metrics = getRuntimeContext().getMetricGroup();
    JobMetrics.gauge(metrics, "open_channels", "openChannels", channels::openChannels);
    JobMetrics.gauge(metrics, "closed_channels", channels::closedChannels);
    JobMetrics.gauge(metrics, "channels_closed_for_room", channels::closedForRoom);
    JobMetrics.gauge(metrics, "closed_channels_forgotten", channels::forgottenClosedChannels);
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
    long now = clock.now(ctx.timerService().currentProcessingTime());
    KeyedChannel k = state.value();
    String toClose = k == null && keys != null ? channels.channelToClose(now) : null;
    if (toClose != null) { // at the limit: a quiet channel that never spoke makes room for this one
      keys.run(toClose, () -> {
        KeyedChannel quiet = state.value();
        keep(quiet, channels.closeForRoom(quiet.channel, now, output(ctx, out)), ctx);
      });
    }
    ChannelState s = channels.onChunk(k == null ? null : k.channel, chunk, now, ctx.timerService().currentWatermark(),
        output(ctx, out));
    if (s != null && k == null) {
      k = new KeyedChannel(s);
    }
    keep(k, s, ctx);
    forgetBeyondLimit(ctx);
  }

  /** Stores the channel's state and its timer, or clears both when {@code s} is null (nothing to keep). */
  private void keep(KeyedChannel k, ChannelState s, Context ctx) throws Exception {
    if (s == null) {
      if (k != null) {
        if (k.timerAtMs >= 0) {
          ctx.timerService().deleteProcessingTimeTimer(k.timerAtMs);
        }
        state.clear();
      }
      return;
    }
    arm(k, ctx);
    state.update(k);
  }

  /** Closed channels beyond max-closed-channels-per-task: the one closed longest ago goes, state and timer. */
  private void forgetBeyondLimit(Context ctx) throws Exception {
    if (keys == null) {
      return;
    }
    for (String old = channels.channelToForget(); old != null; old = channels.channelToForget()) {
      String key = old;
      keys.run(key, () -> keep(state.value(), null, ctx));
      channels.forgotten(key);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<UtteranceRecord> out) throws Exception {
    KeyedChannel k = state.value();
    if (k == null) {
      return;
    }
    k.timerAtMs = -1; // this one fired
    keep(k, channels.onTimer(k.channel, clock.now(ctx.timerService().currentProcessingTime()), output(ctx, out)), ctx);
    forgetBeyondLimit(ctx);
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
      ctx.output(CHANNEL_NOTICES, ChannelNotice.utterance(u.callId, u.channel, u.startTime, u.endTime));
    }

    @Override
    public void channelClosed(ChannelState s, int utterances, long at, String reason) {
      ctx.output(CHANNEL_NOTICES, ChannelNotice.end(s.callId, s.channel, utterances, at, reason));
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
