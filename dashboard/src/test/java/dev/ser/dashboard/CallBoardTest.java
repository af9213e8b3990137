package dev.ser.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.schemas.AlertRule;
import dev.ser.schemas.AlertStatus;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.ChannelSummary;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.ClassShare;
import dev.ser.schemas.EmotionEvent;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallBoardTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_700_000_000_000L;

  static EmotionEvent event(String call, int index, long fromMs, String label, float angry, float neutral, boolean uncertain) {
    return EmotionEvent.newBuilder().setCallId(call).setChannel("customer").setUtteranceId(call + "/customer/" + index)
        .setUtteranceIndex(index).setStartTime(Instant.ofEpochMilli(T0 + fromMs))
        .setEndTime(Instant.ofEpochMilli(T0 + fromMs + 1500)).setLabel(label).setConfidence(Math.max(angry, neutral))
        .setScores(List.of(new ClassScore("angry", angry), new ClassScore("neutral", neutral),
            new ClassScore("sad", 1 - angry - neutral)))
        .setModelName("ms-senet-emodb").setModelVersion("2").setProcessingLatencyMs(40).setUncertain(uncertain).build();
  }

  static CallAlert alert(String call, AlertStatus status, String... utterances) {
    return CallAlert.newBuilder().setAlertId(call + "/customer/alert/0").setCallId(call).setChannel("customer")
        .setStatus(status).setRule(AlertRule.RISING_NEGATIVE).setScore(0.72).setThreshold(0.4)
        .setUtteranceIds(List.of(utterances)).setTime(Instant.ofEpochMilli(T0 + 9000)).setTimeInCallMs(9000).build();
  }

  static CallSummary summary(String call) {
    return CallSummary.newBuilder().setCallId(call).setEndReason("ended").setStartTime(Instant.ofEpochMilli(T0 - 1000))
        .setEndTime(Instant.ofEpochMilli(T0 + 20_000))
        .setChannels(List.of(ChannelSummary.newBuilder().setChannel("customer").setScored(true).setUtterances(3)
            .setSpeechMs(4500).setEvents(3).setMissingEvents(0).setUncertainEvents(1).setUncertainMs(1500)
            .setClassShares(List.of(new ClassShare("angry", 0.5), new ClassShare("neutral", 0.5)))
            .setPeakNegativeScore(0.81).setPeakNegativeUtteranceId(call + "/customer/2").setPeakNegativeTimeInCallMs(7000L)
            .setAlertsRaised(1).setModels(List.of("ms-senet-emodb 2")).build()))
        .build();
  }

  private final CallBoard board = new CallBoard(60_000, 3, Set.of("angry", "sad"));

  @Test
  void eventsMakeALiveCallWhoseMarksAreInTimeOrderAndWhoseStateIsTheLatestUtterance() {
    board.onEvent(event("c1", 1, 4000, "angry", 0.7f, 0.2f, false), 1);
    board.onEvent(event("c1", 0, 0, "neutral", 0.1f, 0.8f, false), 2);
    board.onEvent(event("c1", 0, 0, "neutral", 0.1f, 0.8f, false), 3); // a duplicate: replaces, adds nothing
    JsonNode s = board.snapshot(JSON);
    assertThat(s.get("live")).hasSize(1);
    JsonNode row = s.at("/live/0");
    assertThat(row.get("callId").asText()).isEqualTo("c1");
    assertThat(row.get("label").asText()).isEqualTo("angry");
    assertThat(row.get("confidence").asDouble()).isCloseTo(0.7, within(1e-6));
    assertThat(row.get("negative").asDouble()).isCloseTo(0.7 + 0.1, within(1e-6)); // angry + sad, not neutral
    assertThat(row.get("marks")).extracting(m -> m.get("label").asText()).containsExactly("neutral", "angry");
    assertThat(row.at("/marks/1/fromMs").asLong()).isEqualTo(4000); // from the earliest utterance, before a summary
    assertThat(row.at("/marks/1/toMs").asLong()).isEqualTo(5500);
    assertThat(row.at("/marks/0/scores").isMissingNode()).isTrue(); // probabilities only on the call's page
    assertThat(board.call("c1", JSON).orElseThrow().at("/marks/0/scores/neutral").asDouble()).isCloseTo(0.8, within(1e-6));
    assertThat(s.get("ended")).isEmpty();
    assertThat(s.get("openAlerts")).isEmpty();
  }

  @Test
  void aRaisedAlertIsOpenAtTheUtteranceThatSetItOffUntilItIsCleared() {
    board.onEvent(event("quiet", 0, 0, "neutral", 0.1f, 0.8f, false), 1);
    board.onEvent(event("c1", 0, 0, "neutral", 0.1f, 0.8f, false), 1);
    board.onEvent(event("c1", 1, 4000, "angry", 0.7f, 0.2f, false), 2);
    board.onAlert(alert("c1", AlertStatus.RAISED, "c1/customer/0", "c1/customer/1"), 4);
    board.onEvent(event("quiet", 1, 5000, "neutral", 0.1f, 0.8f, false), 6); // the most recent call, but no alert
    JsonNode s = board.snapshot(JSON);
    assertThat(s.get("live")).extracting(r -> r.get("callId").asText()).containsExactly("c1", "quiet");
    assertThat(s.at("/openAlerts/0/callId").asText()).isEqualTo("c1");
    assertThat(s.at("/openAlerts/0/rule").asText()).isEqualTo("RISING_NEGATIVE");
    assertThat(s.at("/openAlerts/0/utteranceId").asText()).isEqualTo("c1/customer/1");
    assertThat(s.at("/live/0/marks")).extracting(m -> m.get("alert").asBoolean()).containsExactly(false, true);

    board.onAlert(alert("c1", AlertStatus.CLEARED, "c1/customer/1"), 7);
    board.onEvent(event("quiet", 2, 9000, "neutral", 0.1f, 0.8f, false), 8);
    s = board.snapshot(JSON);
    assertThat(s.get("openAlerts")).isEmpty();
    assertThat(s.get("live")).extracting(r -> r.get("callId").asText()).containsExactly("quiet", "c1");
    assertThat(board.call("c1", JSON).orElseThrow().at("/alerts/0/cleared").asBoolean()).isTrue();
  }

  @Test
  void theSummaryMovesTheCallToRecentlyEndedWithItsNumbersAndLateEventsStayWithIt() {
    board.onEvent(event("c1", 0, 0, "neutral", 0.1f, 0.8f, false), 1);
    board.onSummary(summary("c1"), 2);
    board.onEvent(event("c1", 1, 4000, "angry", 0.7f, 0.2f, true), 3); // late
    JsonNode s = board.snapshot(JSON);
    assertThat(s.get("live")).isEmpty();
    JsonNode e = s.at("/ended/0");
    assertThat(e.get("callId").asText()).isEqualTo("c1");
    assertThat(e.get("endReason").asText()).isEqualTo("ended");
    assertThat(e.get("durationMs").asLong()).isEqualTo(21_000);
    assertThat(e.at("/summary/0/utterances").asInt()).isEqualTo(3);
    assertThat(e.at("/summary/0/peakNegativeScore").asDouble()).isEqualTo(0.81);
    assertThat(e.at("/summary/0/alertsRaised").asInt()).isEqualTo(1);
    assertThat(e.at("/summary/0/shares/angry").asDouble()).isEqualTo(0.5);
    JsonNode detail = board.call("c1", JSON).orElseThrow();
    assertThat(detail.get("live").asBoolean()).isFalse();
    // times now count from the call's start as the summary gives it (1 s before the first utterance)
    assertThat(detail.get("marks")).extracting(m -> m.get("fromMs").asLong()).containsExactly(1000L, 5000L);
    assertThat(detail.at("/marks/1/uncertain").asBoolean()).isTrue();
    assertThat(detail.get("models")).extracting(JsonNode::asText).containsExactly("ms-senet-emodb 2");
    assertThat(board.call("nope", JSON)).isEmpty();
  }

  @Test
  void theWindowEndsSilentCallsAndForgetsEndedOnesAndTheBoardHoldsAtMostItsSize() {
    board.onEvent(event("old", 0, 0, "neutral", 0.1f, 0.8f, false), 0);
    board.onEvent(event("new", 0, 0, "neutral", 0.1f, 0.8f, false), 30_000);
    long before = board.version();
    board.evict(59_999);
    assertThat(board.version()).isEqualTo(before); // nothing changed
    board.evict(60_000);
    JsonNode s = board.snapshot(JSON);
    assertThat(s.get("live")).extracting(r -> r.get("callId").asText()).containsExactly("new");
    assertThat(s.at("/ended/0/callId").asText()).isEqualTo("old");
    assertThat(s.at("/ended/0/endReason").asText()).isEqualTo("no summary within the window");
    board.evict(120_000);
    assertThat(board.snapshot(JSON).get("ended")).extracting(r -> r.get("callId").asText()).containsExactly("new");
    board.evict(180_000);
    assertThat(board.snapshot(JSON).get("ended")).isEmpty();

    for (int i = 0; i < 5; i++) {
      board.onEvent(event("call-" + i, 0, 0, "neutral", 0.1f, 0.8f, false), 200_000 + i);
    }
    assertThat(board.snapshot(JSON).get("live")).extracting(r -> r.get("callId").asText())
        .containsExactly("call-4", "call-3", "call-2"); // room for 3: the oldest went
  }

  @Test
  void theBoardShowsTheLastMarksOfALongCallAndItsPageAllOfThem() {
    for (int i = 0; i < 30; i++) {
      board.onEvent(event("long", i, 3000L * i, i % 2 == 0 ? "neutral" : "angry", 0.4f, 0.5f, false), i);
    }
    JsonNode row = board.snapshot(JSON).at("/live/0");
    assertThat(row.get("utterances").asInt()).isEqualTo(30);
    assertThat(row.get("marks")).hasSize(CallBoard.MARKS_ON_BOARD);
    assertThat(row.at("/marks/0/index").asInt()).isEqualTo(30 - CallBoard.MARKS_ON_BOARD);
    assertThat(row.at("/marks/" + (CallBoard.MARKS_ON_BOARD - 1) + "/index").asInt()).isEqualTo(29);
    assertThat(board.call("long", JSON).orElseThrow().get("marks")).hasSize(30);
  }

  @Test
  void theBoardPushedToEveryPageGrowsWithTheCallsNotWithTheirLength() {
    CallBoard big = new CallBoard(3_600_000, 5000, Set.of("angry", "sad"));
    for (int c = 0; c < 100; c++) {
      for (int i = 0; i < 40; i++) {
        big.onEvent(event("call-" + c, i, 3000L * i, "neutral", 0.123456f, 0.654321f, false), 1000 + i);
      }
    }
    int bytes = big.snapshot(JSON).toString().length();
    // the figure in dashboard/README.md: about 4.6 kB per live call (24 marks), however long the calls are
    assertThat(bytes / 100).isBetween(4500, 4700);
  }

  @Test
  void recordsThatCannotBeDecodedAreCountedPerTopic() {
    board.onUndecodable("emotion-events");
    board.onUndecodable("emotion-events");
    board.onUndecodable("call-alerts");
    JsonNode s = board.snapshot(JSON);
    assertThat(s.at("/undecodable/emotion-events").asLong()).isEqualTo(2);
    assertThat(s.at("/undecodable/call-alerts").asLong()).isEqualTo(1);
    assertThat(s.get("undecodableTotal").asLong()).isEqualTo(3);
  }

  @Test
  void aProblemReadingKafkaIsOnTheBoardUntilItReadsAgain() {
    assertThat(board.snapshot(JSON).get("readerProblem").isNull()).isTrue();
    long before = board.version();
    board.onReaderProblem("TimeoutException: Timeout expired while fetching topic metadata");
    assertThat(board.version()).isEqualTo(before + 1);
    assertThat(board.snapshot(JSON).get("readerProblem").asText())
        .isEqualTo("TimeoutException: Timeout expired while fetching topic metadata");
    board.onReaderProblem("TimeoutException: Timeout expired while fetching topic metadata"); // the same: no push
    assertThat(board.version()).isEqualTo(before + 1);
    board.onReaderProblem(null);
    assertThat(board.snapshot(JSON).get("readerProblem").isNull()).isTrue();
  }

  @Test
  void aBoardWithoutRoomOrWindowIsRefused() {
    assertThatThrownBy(() -> new CallBoard(0, 10, Set.of("angry"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("need a window of at least 1 ms, room for at least one call and at least one negative label, got"
            + " 0 ms, 10 calls, [angry]");
  }
}
