package dev.ser.stream.scoring;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.assembly.UtteranceRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An utterance and the model's prediction for it become the emotion event the job publishes. */
public final class EventMapper {

  private final ModelMetadata model;
  private final double uncertainBelow;

  /** @param uncertainBelow a prediction whose confidence is under this makes an uncertain event */
  public EventMapper(ModelMetadata model, double uncertainBelow) {
    this.model = model;
    this.uncertainBelow = uncertainBelow;
  }

  /**
   * The event of {@code u}.
   *
   * @param latencyMs wall-clock time from the utterance's end being seen to its event
   */
  public EmotionEvent toEvent(UtteranceRecord u, EmotionScorer.Prediction p, long latencyMs) {
    List<ClassScore> scores = new ArrayList<>(p.scores().length);
    for (int k = 0; k < p.scores().length; k++) {
      scores.add(new ClassScore(model.labels().get(k), p.scores()[k]));
    }
    return EmotionEvent.newBuilder().setCallId(u.callId).setChannel(u.channel).setUtteranceId(u.utteranceId())
        .setUtteranceIndex(u.index).setStartTime(Instant.ofEpochMilli(u.startTime))
        .setEndTime(Instant.ofEpochMilli(u.endTime)).setLabel(p.label()).setConfidence(p.confidence())
        .setScores(scores).setModelName(model.name()).setModelVersion(model.version())
        .setProcessingLatencyMs(latencyMs).setUncertain(p.confidence() < uncertainBelow).build();
  }

  /** The event as a Kafka record: keyed by its utterance id, single-object encoded, naming its model. */
  public EventRecord toRecord(UtteranceRecord u, EmotionScorer.Prediction p, long latencyMs) {
    EventRecord r = new EventRecord(u.utteranceId(), WireFormat.encode(toEvent(u, p, latencyMs)),
        model.name() + "/" + model.version());
    r.traceparent = u.traceparent;
    r.callId = u.callId;
    return r;
  }
}
