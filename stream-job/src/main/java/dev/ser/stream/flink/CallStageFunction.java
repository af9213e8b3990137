package dev.ser.stream.flink;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.call.CallAnalytics;
import dev.ser.stream.call.CallRecord;
import dev.ser.stream.call.CallState;
import dev.ser.stream.call.ChannelNotice;
import dev.ser.stream.scoring.EventRecord;
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flink wiring of {@link CallAnalytics}, keyed by call: emotion events on one input, the
 * segmentation stage's {@link ChannelNotice}s on the other; alerts on the main output, the summary
 * on {@link #SUMMARIES}. One value state per call (its {@link CallState} as JSON, so the state can
 * gain fields), at most one processing-time timer and, once every channel known ended, one
 * event-time timer at the end of the call's audio; once the summary is out, only a tombstone (the
 * time of the summary) and its one processing-time timer stay, for {@code summarisedRetentionMs}:
 * an event or notice of the call that arrives after its summary (scored late, a lagging task) is
 * counted ({@code late_call_records}) and dropped instead of opening a second call and summary.
 * A channel that closed without any utterance does not open a call: floods of empty calls leave
 * nothing here.
 */
@Internal
public final class CallStageFunction extends KeyedCoProcessFunction<String, EventRecord, ChannelNotice, CallRecord> {

  private static final long serialVersionUID = 1L;
  public static final OutputTag<CallRecord> SUMMARIES = new OutputTag<>("call-summaries") {};
  public static final TypeInformation<CallRecord> TYPE = TypeInformation.of(CallRecord.class);
  static final ValueStateDescriptor<byte[]> STATE = new ValueStateDescriptor<>("call",
      PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  /** When the call was summarised (processing time); set only while its state is gone. */
  static final ValueStateDescriptor<Long> SUMMARISED = new ValueStateDescriptor<>("summarised", Long.class);
  static final String ALERT_TYPE = WireFormat.contentType(CallAlert.getClassSchema());
  static final String SUMMARY_TYPE = WireFormat.contentType(CallSummary.getClassSchema());

  private final CallAnalytics analytics;
  private final long summarisedRetentionMs;
  private transient ValueState<byte[]> state;
  private transient ValueState<Long> summarised;
  private transient Counter lateRecords;
  private transient ObjectMapper json;
  private transient org.apache.avro.message.BinaryMessageDecoder<EmotionEvent> decoder;
  private transient Counter alerts;
  private transient Counter summaries;

  public CallStageFunction(CallAnalytics analytics, long summarisedRetentionMs) {
    this.analytics = analytics;
    this.summarisedRetentionMs = summarisedRetentionMs;
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(STATE);
    summarised = getRuntimeContext().getState(SUMMARISED);
    json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    decoder = WireFormat.decoder(EmotionEvent.class);
    var metrics = getRuntimeContext().getMetricGroup();
    alerts = metrics.counter("call_alerts");
    summaries = metrics.counter("call_summaries");
    lateRecords = metrics.counter("late_call_records");
  }

  /**
   * Whether the call was summarised already (its record is late): counted, nothing else happens. The
   * tombstone is read only for a call without state, so a live call's records cost no extra read.
   */
  private boolean late() throws Exception {
    if (state.value() == null && summarised.value() != null) {
      lateRecords.inc();
      return true;
    }
    return false;
  }

  @Override
  public void processElement1(EventRecord event, Context ctx, Collector<CallRecord> out) throws Exception {
    if (late()) {
      return;
    }
    long now = ctx.timerService().currentProcessingTime();
    CallState s = load(ctx.getCurrentKey());
    for (CallAlert a : analytics.onEvent(s, decoder.decode(event.value), now)) {
      alerts.inc();
      out.collect(new CallRecord(a.getAlertId().toString(), WireFormat.encode(a), ALERT_TYPE));
    }
    settle(s, now, ctx);
  }

  @Override
  public void processElement2(ChannelNotice notice, Context ctx, Collector<CallRecord> out) throws Exception {
    if (late()) {
      return;
    }
    if (state.value() == null && notice.end && notice.utterances == 0) {
      return; // a channel that said nothing, of a call not heard of: nothing to summarise
    }
    long now = ctx.timerService().currentProcessingTime();
    CallState s = load(ctx.getCurrentKey());
    analytics.onNotice(s, notice, now);
    settle(s, now, ctx);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<CallRecord> out) throws Exception {
    byte[] bytes = state.value();
    if (bytes == null) {
      Long at = summarised.value();
      if (at != null && timestamp >= at + summarisedRetentionMs) {
        summarised.clear(); // the tombstone's time is up: the id may start a new call
      }
      return;
    }
    CallState s = json.readValue(bytes, CallState.class);
    if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME) {
      s.timerAtMs = -1; // this one fired
    } else {
      s.eventTimerAt = -1;
    }
    settle(s, ctx.timerService().currentProcessingTime(), ctx);
  }

  private CallState load(String callId) throws Exception {
    byte[] bytes = state.value();
    return bytes == null ? new CallState(callId) : json.readValue(bytes, CallState.class);
  }

  /** Emits the summary and forgets the call if it is due; otherwise keeps the state and one timer. */
  private void settle(CallState s, long now, Context ctx) throws Exception {
    Optional<String> due = analytics.summaryDue(s, now, ctx.timerService().currentWatermark());
    if (due.isPresent()) {
      CallSummary summary = analytics.summarize(s, due.get());
      summaries.inc();
      ctx.output(SUMMARIES, new CallRecord(s.callId, WireFormat.encode(summary), SUMMARY_TYPE));
      if (s.timerAtMs >= 0) {
        ctx.timerService().deleteProcessingTimeTimer(s.timerAtMs);
      }
      if (s.eventTimerAt >= 0) {
        ctx.timerService().deleteEventTimeTimer(s.eventTimerAt);
      }
      state.clear();
      summarised.update(now);
      ctx.timerService().registerProcessingTimeTimer(now + summarisedRetentionMs);
      return;
    }
    long watermarkDeadline = analytics.nextEventTimeDeadline(s);
    // only while the watermark is before it: a passed one would fire again at once
    if (watermarkDeadline >= 0 && s.eventTimerAt != watermarkDeadline
        && ctx.timerService().currentWatermark() < watermarkDeadline) {
      if (s.eventTimerAt >= 0) {
        ctx.timerService().deleteEventTimeTimer(s.eventTimerAt);
      }
      ctx.timerService().registerEventTimeTimer(watermarkDeadline);
      s.eventTimerAt = watermarkDeadline;
    }
    long deadline = analytics.nextDeadline(s, now);
    if (s.timerAtMs != deadline) {
      if (s.timerAtMs >= 0) {
        ctx.timerService().deleteProcessingTimeTimer(s.timerAtMs);
      }
      ctx.timerService().registerProcessingTimeTimer(deadline);
      s.timerAtMs = deadline;
    }
    state.update(json.writeValueAsBytes(s));
  }
}
