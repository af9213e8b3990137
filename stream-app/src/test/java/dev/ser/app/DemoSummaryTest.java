package dev.ser.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.traffic.SampleCalls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoSummaryTest {

  static final List<SampleCalls.Placement> PLACED = List.of(
      new SampleCalls.Placement("c1", "customer", new SampleCalls.Clip(Path.of("samples/emodb/03a01Wa.wav"), "angry"), 0, 2000),
      new SampleCalls.Placement("c1", "agent", new SampleCalls.Clip(Path.of("samples/emodb/08a01Na.wav"), "neutral"), 3000, 5000));

  @Test
  void theDemoSaysWhetherTheModelTrainedOnItsClips() {
    // version 1's summary lists nothing as left out: both clips may have been trained on
    assertThat(DemoCommand.clipsInTraining("{\"uar_mean\":0.6}", PLACED)).isEqualTo(2);
    assertThat(DemoCommand.clipsInTraining("not json", PLACED)).isEqualTo(2);
    assertThat(DemoCommand.clipsInTraining("{\"final_model_excluded\":[\"03a01Wa.wav\"]}", PLACED)).isEqualTo(1);
    assertThat(DemoCommand.clipsInTraining("{\"final_model_excluded\":[\"03a01Wa.wav\",\"08a01Na.wav\",\"x.wav\"]}",
        PLACED)).isZero();
  }

  @Test
  void theAgreementLineNamesItsBasis() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("events", 2);
    s.put("utterances", 2L);
    s.put("expected_utterances", 2);
    s.put("label_counts", Map.of("angry", 2));
    s.put("agreement", 0.5);
    s.put("agreeing_events", 1L);
    s.put("latency_ms_p50", 10L);
    s.put("latency_ms_p99", 20L);
    s.put("clips_in_model_training", 0L);
    StringWriter unseen = new StringWriter();
    DemoCommand.printSummary(new PrintWriter(unseen, true), s);
    assertThat(unseen.toString()).contains("events: 2 for 2 utterances (2 placed on scored channels)\n");
    assertThat(unseen.toString()).contains("agreement with the known labels: 50.0 % (1 of 2), on clips the model did not"
        + " train on\n");
    s.put("clips_in_model_training", 2L);
    StringWriter seen = new StringWriter();
    DemoCommand.printSummary(new PrintWriter(seen, true), s);
    assertThat(seen.toString()).contains("50.0 % (1 of 2), but the model's training data included 2 of these clips,"
        + " so this is not a measure of its accuracy");
    s.put("unscored_utterances", 10);
    StringWriter withAgents = new StringWriter();
    DemoCommand.printSummary(new PrintWriter(withAgents, true), s);
    assertThat(withAgents.toString()).contains(
        "events: 2 for 2 utterances (2 placed on scored channels; 10 on agent channels, not scored)\n");
  }

  static DemoCommand.Seen seen(String utterance, String model, String label, String expected) {
    var e = dev.ser.schemas.EmotionEvent.newBuilder().setCallId("c1").setChannel("customer").setUtteranceId(utterance)
        .setUtteranceIndex(0).setStartTime(java.time.Instant.EPOCH).setEndTime(java.time.Instant.EPOCH).setLabel(label)
        .setConfidence(0.9f).setUncertain(false).setScores(List.of()).setModelName(model.split("/")[0])
        .setModelVersion(model.split("/")[1]).setProcessingLatencyMs(1).build();
    return new DemoCommand.Seen(e, 0, expected, 5);
  }

  @Test
  void agreementIsAlsoGivenPerModel() {
    List<DemoCommand.Seen> events = List.of(seen("c1/customer/0", "ms-senet-emodb-8k/1", "angry", "angry"),
        seen("c1/customer/1", "ms-senet-emodb-8k/1", "sad", "angry"),
        seen("c2/customer/0", "ms-senet-emodb/3", "angry", "angry"));
    Map<String, Object> s = DemoCommand.summary(new java.util.ArrayList<>(events), PLACED, true);
    assertThat(s.get("agreement")).isEqualTo(2 / 3.0);
    assertThat(s.get("by_model")).isEqualTo(Map.of(
        "ms-senet-emodb-8k/1", Map.of("events", 2L, "agreeing_events", 1L, "agreement", 0.5),
        "ms-senet-emodb/3", Map.of("events", 1L, "agreeing_events", 1L, "agreement", 1.0)));
    s.put("clips_in_model_training", 0L);
    StringWriter text = new StringWriter();
    DemoCommand.printSummary(new PrintWriter(text, true), s);
    assertThat(text.toString()).contains("agreement with the known labels: 66.7 % (2 of 3), on clips the model did not"
        + " train on\nagreement by model: ms-senet-emodb-8k/1 50.0 % (1 of 2); ms-senet-emodb/3 100.0 % (1 of 1)\n");
  }

  @Test
  void eachModelSaysWhetherItTrainedOnTheReplayedClips() {
    List<DemoCommand.Seen> events = List.of(seen("c1/customer/0", "ms-senet-emodb-8k/1", "angry", "angry"),
        seen("c2/customer/0", "ms-senet-emodb/3", "angry", "angry"));
    Map<String, Object> s = DemoCommand.summary(new java.util.ArrayList<>(events), PLACED, true);
    var features = dev.ser.core.features.FeatureConfig.preset("timnet-emodb");
    DemoCommand.addClipsInTraining(s, List.of(
        new dev.ser.core.scoring.ModelMetadata("ms-senet-emodb-8k", "1", List.of("angry"), features, "emodb", "{}"),
        new dev.ser.core.scoring.ModelMetadata("ms-senet-emodb", "3", List.of("angry"), features, "emodb",
            "{\"final_model_excluded\":[\"03a01Wa.wav\",\"08a01Na.wav\"]}")), PLACED);
    // the 8 kHz model lists nothing as left out: both clips may be in its training data
    assertThat(s.get("clips_in_model_training")).isEqualTo(2L);
    assertThat(s.get("by_model")).isEqualTo(Map.of(
        "ms-senet-emodb-8k/1", Map.of("events", 1L, "agreeing_events", 1L, "agreement", 1.0, "clips_in_model_training", 2L),
        "ms-senet-emodb/3", Map.of("events", 1L, "agreeing_events", 1L, "agreement", 1.0, "clips_in_model_training", 0L)));
    StringWriter text = new StringWriter();
    DemoCommand.printSummary(new PrintWriter(text, true), s);
    assertThat(text.toString()).contains("agreement by model: ms-senet-emodb-8k/1 100.0 % (1 of 1; its training data"
        + " included 2 of these clips); ms-senet-emodb/3 100.0 % (1 of 1)\n");
  }

  @Test
  void theDefaultModelsAreTheShippedOnesThatExist(@org.junit.jupiter.api.io.TempDir Path home) throws Exception {
    assertThat(DemoCommand.defaultModels(home)).isEqualTo(home.resolve("models/ms-senet-emodb.onnx").toString());
    java.nio.file.Files.createDirectories(home.resolve("models"));
    java.nio.file.Files.writeString(home.resolve("models/ms-senet-emodb-8k.onnx"), "x");
    assertThat(DemoCommand.defaultModels(home)).isEqualTo(home.resolve("models/ms-senet-emodb.onnx") + ","
        + home.resolve("models/ms-senet-emodb-8k.onnx"));
  }

  @Test
  void alertsAndSummariesReadAsSentences() {
    var alert = dev.ser.schemas.CallAlert.newBuilder().setAlertId("c1/customer/alert/0").setCallId("c1")
        .setChannel("customer").setStatus(dev.ser.schemas.AlertStatus.RAISED)
        .setRule(dev.ser.schemas.AlertRule.SUSTAINED_NEGATIVE).setScore(0.8125).setThreshold(0.6)
        .setUtteranceIds(List.of("c1/customer/2", "c1/customer/3", "c1/customer/4"))
        .setTime(java.time.Instant.ofEpochMilli(20_000)).setTimeInCallMs(19_500).build();
    assertThat(DemoCommand.describe(alert)).isEqualTo(">> ALERT RAISED c1/customer at 19.5 s in the call:"
        + " SUSTAINED_NEGATIVE, negative-affect score 0.81 (above 0.60) after [c1/customer/2, c1/customer/3,"
        + " c1/customer/4]");
    var customer = dev.ser.schemas.ChannelSummary.newBuilder().setChannel("customer").setScored(true).setUtterances(5)
        .setSpeechMs(10_600).setEvents(5).setMissingEvents(0).setUncertainEvents(1).setUncertainMs(900)
        .setClassShares(List.of(new dev.ser.schemas.ClassShare("angry", 0.6), new dev.ser.schemas.ClassShare("fear", 0.0),
            new dev.ser.schemas.ClassShare("neutral", 0.4)))
        .setPeakNegativeScore(0.82).setPeakNegativeUtteranceId("c1/customer/4").setPeakNegativeTimeInCallMs(26_000L)
        .setAlertsRaised(1).setModels(List.of("ms-senet-emodb/2")).build();
    var agent = dev.ser.schemas.ChannelSummary.newBuilder(customer).setChannel("agent").setScored(false).setUtterances(4)
        .setSpeechMs(9_600).setEvents(0).setClassShares(List.of()).setAlertsRaised(0).build();
    var summary = dev.ser.schemas.CallSummary.newBuilder().setCallId("c1").setEndReason("every channel ended")
        .setChannels(List.of(customer, agent)).build();
    assertThat(DemoCommand.describe(summary)).isEqualTo("== SUMMARY c1 (every channel ended)\n"
        + "   customer  5 utterances, 10.6 s of speech; angry 60 %, neutral 40 %; 1 uncertain; peak negative 0.82;"
        + " 1 alert(s)\n"
        + "   agent     4 utterances, 9.6 s of speech, not scored\n");
    assertThat(DemoCommand.json(alert)).isInstanceOf(Map.class);
    assertThat(((Map<?, ?>) DemoCommand.json(alert)).get("rule")).isEqualTo("SUSTAINED_NEGATIVE");
  }
}
