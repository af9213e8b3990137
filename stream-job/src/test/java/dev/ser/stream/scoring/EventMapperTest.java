package dev.ser.stream.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.features.FeatureConfig;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.assembly.UtteranceRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventMapperTest {

  static final ModelMetadata MODEL = new ModelMetadata("ms-senet-test", "7", List.of("angry", "neutral", "sad"),
      FeatureConfig.preset("timnet-emodb"), "emodb", null);

  static UtteranceRecord utterance() {
    UtteranceRecord u = new UtteranceRecord();
    u.callId = "c-1";
    u.channel = "customer";
    u.index = 4;
    u.startTime = 1_700_000_001_000L;
    u.endTime = 1_700_000_002_500L;
    u.samples = new float[0];
    return u;
  }

  @Test
  void everyFieldComesFromTheUtteranceThePredictionOrTheModel() {
    EmotionEvent e = new EventMapper(MODEL, 0.4).toEvent(utterance(),
        new EmotionScorer.Prediction("sad", 0.625f, new float[] {0.125f, 0.25f, 0.625f}), 37);
    assertThat(e.getCallId().toString()).isEqualTo("c-1");
    assertThat(e.getChannel().toString()).isEqualTo("customer");
    assertThat(e.getUtteranceId().toString()).isEqualTo("c-1/customer/4");
    assertThat(e.getUtteranceIndex()).isEqualTo(4);
    assertThat(e.getStartTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_001_000L));
    assertThat(e.getEndTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_002_500L));
    assertThat(e.getLabel().toString()).isEqualTo("sad");
    assertThat(e.getConfidence()).isEqualTo(0.625f);
    assertThat(e.getScores()).extracting(s -> s.getLabel().toString() + "=" + s.getScore())
        .containsExactly("angry=0.125", "neutral=0.25", "sad=0.625");
    assertThat(e.getModelName().toString()).isEqualTo("ms-senet-test");
    assertThat(e.getModelVersion().toString()).isEqualTo("7");
    assertThat(e.getProcessingLatencyMs()).isEqualTo(37);
    assertThat(e.getUncertain()).isFalse();
  }

  @Test
  void aConfidenceUnderTheThresholdMakesAnUncertainEvent() {
    var guess = new EmotionScorer.Prediction("sad", 0.375f, new float[] {0.3125f, 0.3125f, 0.375f});
    assertThat(new EventMapper(MODEL, 0.4).toEvent(utterance(), guess, 1).getUncertain()).isTrue();
    assertThat(new EventMapper(MODEL, 0.375).toEvent(utterance(), guess, 1).getUncertain()).as("not under").isFalse();
  }

  @Test
  void theRecordIsKeyedByTheUtteranceAndDecodesToTheEvent() throws Exception {
    EventMapper mapper = new EventMapper(MODEL, 0.4);
    EmotionScorer.Prediction p = new EmotionScorer.Prediction("angry", 0.5f, new float[] {0.5f, 0.25f, 0.25f});
    EventRecord r = mapper.toRecord(utterance(), p, 5);
    assertThat(r.key).isEqualTo("c-1/customer/4");
    assertThat(WireFormat.decoder(EmotionEvent.class).decode(r.value)).isEqualTo(mapper.toEvent(utterance(), p, 5));
  }
}
