package dev.ser.stream.flink;

import dev.ser.core.features.MfccExtractor;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.scoring.EventMapper;
import dev.ser.stream.scoring.EventOrDeadLetter;
import dev.ser.stream.scoring.SharedScorers;
import dev.ser.stream.scoring.UtteranceScoring;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Features on the task thread, inference on the JVM's shared micro-batcher
 * ({@link SharedScorers}), the event made ({@link EventMapper}) when the batch completes; a failed or
 * timed-out utterance becomes a {@code SCORING_FAILED} dead letter ({@link UtteranceScoring}), never
 * a job failure. Runs under Flink's async I/O operator, which checkpoints the utterances still in
 * flight, so none is lost on failure; {@link ScoringOutcomeRouter} splits events from dead letters.
 */
@Internal
public final class AsyncScoringFunction extends RichAsyncFunction<UtteranceRecord, EventOrDeadLetter> {

  private static final long serialVersionUID = 1L;

  private final SharedScorers.Spec spec;
  /** Events with a lower confidence are marked uncertain. */
  private final double uncertainBelow;
  private final String inputTopic;
  private final long timeoutMs;
  private transient SharedScorers.Lease lease;
  private transient MfccExtractor extractor;
  private transient UtteranceScoring scoring;
  private transient Counter eventsOut;
  private transient Counter scoringFailures;
  private transient Histogram batchSize;
  private transient Histogram inferenceMicros;
  private transient Histogram endOfUtteranceToEventMs;

  /**
   * @param inputTopic named in the dead letters of utterances that could not be scored
   * @param timeoutMs  the async operator's timeout, named in their messages
   */
  public AsyncScoringFunction(SharedScorers.Spec spec, String inputTopic, long timeoutMs, double uncertainBelow) {
    this.uncertainBelow = uncertainBelow;
    this.spec = spec;
    this.inputTopic = inputTopic;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    lease = SharedScorers.acquire(spec);
    ModelMetadata metadata = lease.scorer().metadata();
    extractor = new MfccExtractor(metadata.features());
    SharedScorers.Lease l = lease;
    scoring = new UtteranceScoring(l.batcher()::submit, batch -> l.scorer().predict(batch), new EventMapper(metadata, uncertainBelow),
        inputTopic);
    var metrics = getRuntimeContext().getMetricGroup();
    eventsOut = JobMetrics.counter(metrics, "events_out", "eventsOut");
    scoringFailures = metrics.counter("scoring_failures");
    batchSize = JobMetrics.histogram(metrics, "batch_size", "batchSize", new DescriptiveStatisticsHistogram(1000));
    inferenceMicros = JobMetrics.seconds(metrics, "inference_latency_seconds", "inferenceLatencyMicros",
        new DescriptiveStatisticsHistogram(1000), 1e6);
    endOfUtteranceToEventMs = JobMetrics.seconds(metrics, "end_of_utterance_to_event_seconds",
        "endOfUtteranceToEventMs", new DescriptiveStatisticsHistogram(1000), 1e3);
  }

  @Override
  public void asyncInvoke(UtteranceRecord u, ResultFuture<EventOrDeadLetter> result) {
    var features = extractor.extract(u.samples);
    scoring.score(u, features, System::currentTimeMillis).whenComplete((outcome, error) -> {
      if (error != null) {
        result.completeExceptionally(error); // an Error (out of memory): the task restarts
        return;
      }
      if (outcome.deadLetter() != null) {
        synchronized (this) {
          scoringFailures.inc();
        }
        result.complete(List.of(EventOrDeadLetter.deadLetter(outcome.deadLetter())));
        return;
      }
      synchronized (this) { // histograms are updated from the batcher thread
        eventsOut.inc();
        batchSize.update(outcome.batchSize());
        inferenceMicros.update(outcome.inferenceNanos() / 1000);
        endOfUtteranceToEventMs.update(outcome.latencyMs());
      }
      result.complete(List.of(EventOrDeadLetter.event(outcome.event())));
    });
  }

  /** No answer in time: a dead letter for this utterance instead of a failed job (a hung model call). */
  @Override
  public void timeout(UtteranceRecord u, ResultFuture<EventOrDeadLetter> result) {
    synchronized (this) {
      scoringFailures.inc();
    }
    result.complete(List.of(EventOrDeadLetter.deadLetter(scoring.timedOut(u, timeoutMs, System.currentTimeMillis()))));
  }

  @Override
  public void close() throws Exception {
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
