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
}
