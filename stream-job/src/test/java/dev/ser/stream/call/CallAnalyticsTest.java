package dev.ser.stream.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ser.schemas.AlertRule;
import dev.ser.schemas.AlertStatus;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.ChannelSummary;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.ClassShare;
import dev.ser.schemas.EmotionEvent;
import dev.ser.stream.scoring.ScoredChannels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The call rules on synthetic event sequences: exact scores, one alert per episode, exact summaries. */
public class CallAnalyticsTest {

  static final List<String> LABELS = List.of("angry", "boredom", "disgust", "fear", "happy", "neutral", "sad");
  static final long T0 = 1_700_000_000_000L;

  static CallRules rules(double riseBy) {
    return new CallRules(Set.copyOf(CallRules.DEFAULT_NEGATIVE), 0.5, 0.6, 3, riseBy, 30_000, 0.4,
        ScoredChannels.parse("customer"), 3_000, 5_000, 7_200_000);
  }

  static final CallAnalytics ANALYTICS = new CallAnalytics(rules(0.4), ScoredChannels.parse("customer"));
  /** With the rise rule out of reach (a score cannot rise by more than 1). */
  static final CallAnalytics SUSTAINED_ONLY = new CallAnalytics(rules(1.0), ScoredChannels.parse("customer"));

  /**
   * Utterance {@code index} of the channel, {@code durationMs} long, starting {@code startMs} into
   * the call: {@code angry} gets {@code negative}, {@code neutral} the rest; its confidence is the
   * larger of the two unless given.
   */
  public static EmotionEvent event(String channel, int index, long startMs, long durationMs, double negative, Float confidence) {
    List<ClassScore> scores = new ArrayList<>();
    for (String label : LABELS) {
      scores.add(new ClassScore(label, label.equals("angry") ? (float) negative
          : label.equals("neutral") ? (float) (1 - negative) : 0f));
    }
    String label = negative >= 0.5 ? "angry" : "neutral";
    float top = (float) Math.max(negative, 1 - negative);
    return EmotionEvent.newBuilder().setCallId("call").setChannel(channel).setUtteranceId("call/" + channel + "/" + index)
        .setUtteranceIndex(index).setStartTime(Instant.ofEpochMilli(T0 + startMs))
        .setEndTime(Instant.ofEpochMilli(T0 + startMs + durationMs)).setLabel(label)
        .setConfidence(confidence == null ? top : confidence).setUncertain((confidence == null ? top : confidence) < 0.4f)
        .setScores(scores).setModelName("ms-senet-emodb")
        .setModelVersion("2").setProcessingLatencyMs(10).build();
  }

  static EmotionEvent customer(int index, double negative) {
    return event("customer", index, index * 3_000L, 2_000, negative, null);
  }

  @Test
  void aSustainedNegativeRunRaisesOneAlertAndItClearsBelowTheLowerThreshold() {
    CallState s = new CallState("call");
    List<CallAlert> alerts = new ArrayList<>();
    double[] negative = {0.9, 0.9, 0.9, 0.9, 0.9, 0.05, 0.05};
    for (int i = 0; i < negative.length; i++) {
      alerts.addAll(SUSTAINED_ONLY.onEvent(s, customer(i, negative[i]), i));
      if (i == 2) {
        assertThat(alerts).hasSize(1);
      }
    }
    assertThat(alerts).hasSize(2);
    CallAlert raised = alerts.get(0);
    assertThat(raised.getStatus()).isEqualTo(AlertStatus.RAISED);
    assertThat(raised.getRule()).isEqualTo(AlertRule.SUSTAINED_NEGATIVE);
    assertThat(raised.getAlertId().toString()).isEqualTo("call/customer/alert/0");
    assertThat(raised.getScore()).isCloseTo(0.9, within(1e-6));
    assertThat(raised.getThreshold()).isEqualTo(0.6);
    assertThat(raised.getUtteranceIds()).extracting(CharSequence::toString)
        .containsExactly("call/customer/0", "call/customer/1", "call/customer/2");
    assertThat(raised.getTimeInCallMs()).isEqualTo(8_000); // utterance 2 ends at 6 s + 2 s
    // 0.9 -> 0.475 (not yet under 0.4) -> 0.2625: cleared by utterance 6, not 5
    CallAlert cleared = alerts.get(1);
    assertThat(cleared.getStatus()).isEqualTo(AlertStatus.CLEARED);
    assertThat(cleared.getRule()).isEqualTo(AlertRule.SUSTAINED_NEGATIVE);
    assertThat(cleared.getAlertId().toString()).isEqualTo("call/customer/alert/0");
    assertThat(cleared.getScore()).isCloseTo(0.2625, within(1e-6));
    assertThat(cleared.getThreshold()).isEqualTo(0.4);
    assertThat(cleared.getUtteranceIds()).extracting(CharSequence::toString).containsExactly("call/customer/6");

    // a second episode gets the next id
    for (int i = 7; i < 12; i++) {
      alerts.addAll(SUSTAINED_ONLY.onEvent(s, customer(i, 0.95), i));
    }
    assertThat(alerts).hasSize(3);
    assertThat(alerts.get(2).getAlertId().toString()).isEqualTo("call/customer/alert/1");
    // 0.2625 -> 0.60625 -> 0.778 -> 0.864: the run above 0.6 starts at utterance 7
    assertThat(alerts.get(2).getUtteranceIds()).extracting(CharSequence::toString)
        .containsExactly("call/customer/7", "call/customer/8", "call/customer/9");
  }

  @Test
  void aFastRiseRaisesAnAlertAndASlowOneDoesNot() {
    CallState fast = new CallState("call");
    assertThat(ANALYTICS.onEvent(fast, customer(0, 0.1), 0)).isEmpty();
    assertThat(ANALYTICS.onEvent(fast, customer(1, 0.9), 1)).as("0.1 -> 0.5: a rise of 0.4, not more").isEmpty();
    List<CallAlert> alerts = ANALYTICS.onEvent(fast, customer(2, 0.9), 2); // 0.5 -> 0.7
    assertThat(alerts).singleElement().satisfies(a -> {
      assertThat(a.getRule()).isEqualTo(AlertRule.RISING_NEGATIVE);
      assertThat(a.getScore()).isCloseTo(0.7, within(1e-6));
      assertThat(a.getThreshold()).isEqualTo(0.4);
      assertThat(a.getUtteranceIds()).extracting(CharSequence::toString)
          .containsExactly("call/customer/0", "call/customer/1", "call/customer/2");
    });

    // the same utterances 20 s apart: the lowest score within 30 s of the third is the second's
    CallState slow = new CallState("call");
    long[] starts = {0, 20_000, 40_000};
    double[] negative = {0.1, 0.9, 0.9};
    for (int i = 0; i < 3; i++) {
      assertThat(ANALYTICS.onEvent(slow, event("customer", i, starts[i], 2_000, negative[i], null), i)).isEmpty();
    }
  }

  @Test
  void uncertainUtterancesMoveNeitherTheScoreNorTheAlerts() {
    CallState s = new CallState("call");
    ANALYTICS.onEvent(s, customer(0, 0.1), 0);
    for (int i = 1; i < 6; i++) {
      assertThat(ANALYTICS.onEvent(s, event("customer", i, i * 3_000L, 500, 0.95, 0.35f), i)).isEmpty();
    }
    CallState.Channel c = s.channels.get("customer");
    assertThat(c.score).isCloseTo(0.1, within(1e-6));
    assertThat(c.uncertainEvents).isEqualTo(5);
    assertThat(c.uncertainMs).isEqualTo(2_500);
  }

  @Test
  void onlyAlertChannelsRaiseAlerts() {
    CallAnalytics everyChannel = new CallAnalytics(rules(0.4), ScoredChannels.parse("*"));
    CallState s = new CallState("call");
    for (int i = 0; i < 5; i++) {
      assertThat(everyChannel.onEvent(s, event("agent", i, i * 3_000L, 2_000, 0.95, null), i)).isEmpty();
    }
    assertThat(s.channels.get("agent").score).isCloseTo(0.95, within(1e-6));

    // call-alert-channels=* means every channel, as score-channels does
    CallAnalytics alertOnAll = new CallAnalytics(new CallRules(Set.copyOf(CallRules.DEFAULT_NEGATIVE), 0.5, 0.6, 3, 0.4,
        30_000, 0.4, ScoredChannels.parse("*"), 3_000, 5_000, 7_200_000), ScoredChannels.parse("*"));
    CallState all = new CallState("call");
    List<CallAlert> alerts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      alerts.addAll(alertOnAll.onEvent(all, event("agent", i, i * 3_000L, 2_000, 0.95, null), i));
    }
    assertThat(alerts).extracting(a -> a.getChannel().toString()).containsExactly("agent");
  }

  @Test
  void theSummaryWaitsForMissingEventsThenCountsEveryShareExactly() {
    CallState s = new CallState("call");
    ANALYTICS.onEvent(s, event("customer", 0, 0, 1_000, 0.9, null), 100); // angry, 1 s
    ANALYTICS.onEvent(s, event("customer", 1, 2_000, 3_000, 0.2, null), 200); // neutral, 3 s
    ANALYTICS.onEvent(s, event("customer", 2, 6_000, 500, 0.9, 0.3f), 300); // uncertain, 0.5 s
    ANALYTICS.onNotice(s, ChannelNotice.utterance("call", "agent", T0 - 500, T0 + 1_000), 350);
    ANALYTICS.onNotice(s, ChannelNotice.utterance("call", "agent", T0 + 8_000, T0 + 9_000), 360);
    ANALYTICS.onNotice(s, ChannelNotice.end("call", "agent", 2, T0 + 9_100, "end of stream"), 400);
    assertThat(ANALYTICS.summaryDue(s, 400, Long.MAX_VALUE)).as("the customer has not ended").isEmpty();
    for (long[] u : new long[][] {{0, 1_000}, {2_000, 5_000}, {6_000, 6_500}, {7_300, 8_000}}) {
      ANALYTICS.onNotice(s, ChannelNotice.utterance("call", "customer", T0 + u[0], T0 + u[1]), 450);
    }
    ANALYTICS.onNotice(s, ChannelNotice.end("call", "customer", 4, T0 + 8_100, "end of stream"), 500);
    assertThat(ANALYTICS.summaryDue(s, 5_499, Long.MAX_VALUE)).as("one of its 4 utterances has no event yet").isEmpty();
    assertThat(ANALYTICS.nextDeadline(s, 500)).as("the grace").isEqualTo(3_500);
    assertThat(ANALYTICS.nextDeadline(s, 3_500)).as("then the wait for events").isEqualTo(5_500);
    assertThat(ANALYTICS.summaryDue(s, 5_500, Long.MIN_VALUE)).contains("every channel ended; 1 event(s) still missing after 5000 ms"
        + " (call-summary-wait-ms)");

    CallSummary summary = ANALYTICS.summarize(s, "x");
    assertThat(summary.getStartTime()).isEqualTo(Instant.ofEpochMilli(T0 - 500)); // the agent spoke first
    assertThat(summary.getEndTime()).isEqualTo(Instant.ofEpochMilli(T0 + 9_000));
    assertThat(summary.getChannels()).extracting(ChannelSummary::getChannel).extracting(CharSequence::toString)
        .containsExactly("customer", "agent");
    ChannelSummary customer = summary.getChannels().get(0);
    assertThat(customer.getScored()).isTrue();
    assertThat(customer.getUtterances()).isEqualTo(4);
    assertThat(customer.getSpeechMs()).isEqualTo(5_200);
    assertThat(customer.getEvents()).isEqualTo(3);
    assertThat(customer.getMissingEvents()).isEqualTo(1);
    assertThat(customer.getUncertainEvents()).isEqualTo(1);
    assertThat(customer.getUncertainMs()).isEqualTo(500);
    assertThat(customer.getClassShares()).extracting(ClassShare::getLabel).extracting(CharSequence::toString)
        .containsExactlyElementsOf(LABELS);
    assertThat(customer.getClassShares()).extracting(ClassShare::getShare)
        .containsExactly(0.25, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0);
    // scores 0.9, then 0.5 * 0.2 + 0.5 * 0.9 = 0.55: the peak is the first utterance, 1.5 s into the call
    assertThat(customer.getPeakNegativeScore()).isCloseTo(0.9, within(1e-6));
    assertThat(customer.getPeakNegativeUtteranceId().toString()).isEqualTo("call/customer/0");
    assertThat(customer.getPeakNegativeTimeInCallMs()).isEqualTo(1_500);
    assertThat(customer.getAlertsRaised()).isZero();
    assertThat(customer.getModels()).extracting(CharSequence::toString).containsExactly("ms-senet-emodb/2");
    ChannelSummary agent = summary.getChannels().get(1);
    assertThat(agent.getScored()).isFalse();
    assertThat(agent.getUtterances()).isEqualTo(2);
    assertThat(agent.getSpeechMs()).isEqualTo(2_500);
    assertThat(agent.getEvents()).isZero();
    assertThat(agent.getMissingEvents()).as("an unscored channel misses nothing").isZero();
    assertThat(agent.getClassShares()).isEmpty();
    assertThat(agent.getPeakNegativeUtteranceId()).isNull();
    assertThat(agent.getPeakNegativeTimeInCallMs()).isNull();
  }

  @Test
  void aCallWhoseEventsAllArrivedIsDueAtItsLastEndAndAnIdleOneAtItsTimeout() {
    CallState s = new CallState("call");
    ANALYTICS.onEvent(s, customer(0, 0.2), 100);
    ANALYTICS.onNotice(s, ChannelNotice.utterance("call", "customer", T0, T0 + 2_000), 150);
    ANALYTICS.onNotice(s, ChannelNotice.end("call", "customer", 1, T0 + 2_100, "end of stream"), 200);
    assertThat(ANALYTICS.nextEventTimeDeadline(s)).isEqualTo(T0 + 2_100);
    assertThat(ANALYTICS.summaryDue(s, 200, T0 + 2_099)).as("another channel of the call may still show up").isEmpty();
    assertThat(ANALYTICS.summaryDue(s, 200, T0 + 2_100)).as("the watermark passed its end").contains("every channel ended");
    assertThat(ANALYTICS.summaryDue(s, 3_199, Long.MIN_VALUE)).isEmpty();
    assertThat(ANALYTICS.summaryDue(s, 3_200, Long.MIN_VALUE)).as("or the grace went by").contains("every channel ended");

    CallState idle = new CallState("quiet");
    ANALYTICS.onEvent(idle, customer(0, 0.2), 100);
    assertThat(ANALYTICS.nextDeadline(idle, 100)).isEqualTo(7_200_100);
    assertThat(ANALYTICS.summaryDue(idle, 7_200_099, Long.MIN_VALUE)).isEmpty();
    assertThat(ANALYTICS.summaryDue(idle, 7_200_100, Long.MIN_VALUE)).contains("nothing for 7200000 ms (call-idle-timeout-ms 7200000)");
    CallSummary summary = ANALYTICS.summarize(idle, "idle");
    assertThat(summary.getChannels().get(0).getMissingEvents()).as("not ended: nothing known missing").isZero();
  }

  @Test
  void settingsThatCannotWorkAreRefused() {
    assertThatThrownBy(() -> new CallRules(Set.of("angry"), 0.5, 0.6, 3, 0.4, 30_000, 0.7, ScoredChannels.parse("customer"),
        0, 5_000, 1)).hasMessage("call-alert-clear-below must be in [0, call-alert-raise-above), got 0.7 with raise-above 0.6");
    assertThatThrownBy(() -> new CallRules(Set.of(), 0.5, 0.6, 3, 0.4, 30_000, 0.3, ScoredChannels.parse("customer"), 0, 5_000, 1))
        .hasMessage("call-negative-labels must name at least one label");
    assertThatThrownBy(() -> new CallRules(Set.of("sad"), 0.5, 0.6, 3, 0.4, 30_000, 0.3, ScoredChannels.parse("customer"), 9, 5, 1))
        .hasMessage("call-summary-wait-ms (5) must be at least call-end-grace-ms (9)");
  }
}
