package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.AlertStatus;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.call.CallAnalytics;
import dev.ser.stream.call.CallRecord;
import dev.ser.stream.call.CallRules;
import dev.ser.stream.call.ChannelNotice;
import dev.ser.stream.scoring.EventRecord;
import dev.ser.stream.scoring.ScoredChannels;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The call stage under Flink's harness: alerts, the summary, and no state or timer left after it. */
class CallStageFunctionTest {

  static final CallAnalytics ANALYTICS = new CallAnalytics(new CallRules(Set.of("angry", "disgust", "fear", "sad"),
      0.5, 0.6, 3, 0.4, 30_000, 0.4, ScoredChannels.parse("customer"), 2_000, 5_000, 60_000), ScoredChannels.parse("customer"));

  /** How long a summarised call is remembered, so a late record of it opens no second call. */
  static final long RETENTION_MS = 600_000;

  /** After the summary only the call's tombstone and its timer are left; after the retention, nothing. */
  static void assertOnlyTheTombstoneThenNothing(
      KeyedTwoInputStreamOperatorTestHarness<String, EventRecord, ChannelNotice, CallRecord> h, long summarisedAt)
      throws Exception {
    assertThat(h.numKeyedStateEntries()).as("the tombstone").isEqualTo(1);
    assertThat(h.numProcessingTimeTimers()).as("its timer").isEqualTo(1);
    assertThat(h.numEventTimeTimers()).isZero();
    h.setProcessingTime(summarisedAt + RETENTION_MS - 1);
    assertThat(h.numKeyedStateEntries()).isEqualTo(1);
    h.setProcessingTime(summarisedAt + RETENTION_MS);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, EventRecord, ChannelNotice, CallRecord> harness()
      throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new CallStageFunction(ANALYTICS,
        RETENTION_MS)), e -> e.callId, n -> n.callId, Types.STRING);
  }

  static EventRecord record(String callId, int index, double negative) {
    EmotionEvent e = dev.ser.stream.call.CallAnalyticsTest.event("customer", index, index * 3_000L, 2_000, negative, null);
    e.setCallId(callId);
    e.setUtteranceId(callId + "/customer/" + index);
    EventRecord r = new EventRecord(e.getUtteranceId().toString(), WireFormat.encode(e), "ms-senet-emodb/2");
    r.callId = callId;
    return r;
  }

  @Test
  void oneAlertThenTheSummaryAtTheCallsEndAndNothingLeft() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 4; i++) {
        h.processElement2(ChannelNotice.utterance("c", "customer", 0, 0), 0);
        h.processElement1(record("c", i, 0.9), 0);
      }
      h.processElement2(ChannelNotice.utterance("c", "agent", 0, 1_500), 0);
      assertThat(h.extractOutputValues()).singleElement().satisfies(r -> {
        assertThat(r.key).isEqualTo("c/customer/alert/0");
        assertThat(r.contentType).isEqualTo(CallStageFunction.ALERT_TYPE);
        CallAlert a = WireFormat.decoder(CallAlert.class).decode(r.value);
        assertThat(a.getStatus()).isEqualTo(AlertStatus.RAISED);
      });
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      assertThat(h.numProcessingTimeTimers()).as("the idle timer").isEqualTo(1);

      h.processElement2(ChannelNotice.end("c", "agent", 1, 1_600, "end of stream"), 0);
      h.setProcessingTime(10);
      h.processElement2(ChannelNotice.end("c", "customer", 4, 12_000, "end of stream"), 0);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).as("another channel may still show up").isNull();
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(12_000));
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).singleElement().satisfies(r -> {
        CallSummary s = WireFormat.decoder(CallSummary.class).decode(r.getValue().value);
        assertThat(r.getValue().key).isEqualTo("c");
        assertThat(s.getEndReason().toString()).isEqualTo("every channel ended");
        assertThat(s.getChannels()).hasSize(2);
        assertThat(s.getChannels().get(0).getAlertsRaised()).isEqualTo(1);
        assertThat(s.getChannels().get(0).getEvents()).isEqualTo(4);
        assertThat(s.getChannels().get(1).getSpeechMs()).isEqualTo(1_500);
      });
      assertOnlyTheTombstoneThenNothing(h, 10);
    }
  }

  /** The race that two summaries of one call showed: one channel ends before the other was heard of. */
  @Test
  void aChannelHeardOfLateWithinTheGraceJoinsTheOneSummary() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      h.processElement2(ChannelNotice.utterance("c", "agent", 0, 1_500), 0);
      h.processElement2(ChannelNotice.end("c", "agent", 1, 1_600, "end of stream"), 0);
      h.setProcessingTime(1_999);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).isNull();
      h.processElement1(record("c", 0, 0.2), 0); // the customer, processed by a task that lagged
      h.processElement2(ChannelNotice.utterance("c", "customer", 0, 2_000), 0);
      h.processElement2(ChannelNotice.end("c", "customer", 1, 2_100, "end of stream"), 0);
      h.setProcessingTime(1_999 + 2_000);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).singleElement().satisfies(r -> assertThat(
          WireFormat.decoder(CallSummary.class).decode(r.getValue().value).getChannels()).hasSize(2));
      assertOnlyTheTombstoneThenNothing(h, 1_999 + 2_000);
    }
  }

  @Test
  void anIdleCallIsSummarisedAtItsTimeoutAndAChannelThatSaidNothingOpensNoCall() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      h.processElement2(ChannelNotice.end("silent", "customer", 0, -1, "end of stream"), 0);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();

      h.processElement1(record("quiet", 0, 0.1), 0);
      h.setProcessingTime(59_999);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).isNull();
      h.setProcessingTime(60_000);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).singleElement().satisfies(r -> assertThat(
          WireFormat.decoder(CallSummary.class).decode(r.getValue().value).getEndReason().toString())
          .isEqualTo("nothing for 60000 ms (call-idle-timeout-ms 60000)"));
      assertOnlyTheTombstoneThenNothing(h, 60_000);
    }
  }

  /** What two summaries of one call also came from: an event or a notice that arrives after the summary. */
  @Test
  void aRecordOfACallAlreadySummarisedOpensNoSecondCallUntilTheRetentionEnds() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      h.processElement1(record("c", 0, 0.1), 0);
      h.setProcessingTime(60_000); // idle: summarised
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).hasSize(1);
      h.processElement1(record("c", 1, 0.9), 0); // an event scored late
      h.processElement2(ChannelNotice.end("c", "customer", 2, 9_000, "end of stream"), 0);
      assertThat(h.numKeyedStateEntries()).as("still only the tombstone").isEqualTo(1);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.setProcessingTime(60_000 + 2 * 60_000);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).as("no second summary").hasSize(1);
      assertOnlyTheTombstoneThenNothing(h, 60_000);
      // the id is free again after the retention: a new call
      h.processElement1(record("c", 0, 0.1), 0);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      h.setProcessingTime(60_000 + RETENTION_MS + 60_000);
      assertThat(h.getSideOutput(CallStageFunction.SUMMARIES)).hasSize(2);
    }
  }
}
