package dev.ser.stream.internal;

import dev.ser.core.features.MfccExtractor;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.scoring.SharedScorers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Features on the task thread, inference on the JVM's shared micro-batcher
 * ({@link SharedScorers}), the event encoded when the batch completes. Runs under Flink's async I/O
 * operator, which checkpoints the utterances still in flight, so none is lost on failure.
 */
public final class ScoringFunction extends RichAsyncFunction<UtteranceRecord, EncodedEvent> {

  private static final long serialVersionUID = 1L;

  private final SharedScorers.Spec spec;
  private transient SharedScorers.Lease lease;
  private transient MfccExtractor extractor;
  private transient ModelMetadata metadata;
  private transient Counter eventsOut;
  private transient Histogram batchSize;
  private transient Histogram inferenceMicros;
  private transient Histogram endOfUtteranceToEventMs;

  public ScoringFunction(SharedScorers.Spec spec) {
    this.spec = spec;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    lease = SharedScorers.acquire(spec);
    metadata = lease.scorer().metadata();
    extractor = new MfccExtractor(metadata.features());
    var metrics = getRuntimeContext().getMetricGroup();
    eventsOut = metrics.counter("eventsOut");
    batchSize = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
    inferenceMicros = metrics.histogram("inferenceLatencyMicros", new DescriptiveStatisticsHistogram(1000));
    endOfUtteranceToEventMs = metrics.histogram("endOfUtteranceToEventMs", new DescriptiveStatisticsHistogram(1000));
  }

  @Override
  public void asyncInvoke(UtteranceRecord u, ResultFuture<EncodedEvent> result) {
    var features = extractor.extract(u.samples);
    lease.batcher().submit(features).whenComplete((scored, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
        return;
      }
      try {
        long latency = System.currentTimeMillis() - u.closedAtMs;
        EmotionEvent event = toEvent(u, scored.prediction(), latency);
        synchronized (this) { // histograms are updated from the batcher thread
          eventsOut.inc();
          batchSize.update(scored.batchSize());
          inferenceMicros.update(scored.inferenceNanos() / 1000);
          endOfUtteranceToEventMs.update(latency);
        }
        result.complete(List.of(new EncodedEvent(u.utteranceId(), WireFormat.encode(event))));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
  }

  private EmotionEvent toEvent(UtteranceRecord u, EmotionScorer.Prediction p, long latencyMs) {
    List<ClassScore> scores = new ArrayList<>(p.scores().length);
    for (int k = 0; k < p.scores().length; k++) {
      scores.add(new ClassScore(metadata.labels().get(k), p.scores()[k]));
    }
    return EmotionEvent.newBuilder().setCallId(u.callId).setChannel(u.channel).setUtteranceId(u.utteranceId())
        .setUtteranceIndex(u.index).setStartTime(Instant.ofEpochMilli(u.startTime))
        .setEndTime(Instant.ofEpochMilli(u.endTime)).setLabel(p.label()).setConfidence(p.confidence())
        .setScores(scores).setModelName(metadata.name()).setModelVersion(metadata.version())
        .setProcessingLatencyMs(latencyMs).build();
  }

  @Override
  public void close() throws Exception {
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
