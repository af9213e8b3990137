package dev.ser.stream.flink;

import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.scoring.EventMapper;
import dev.ser.stream.model.ModelSwitchboard;
import dev.ser.stream.scoring.EventOrDeadLetter;
import dev.ser.stream.scoring.ScoringModel;
import dev.ser.stream.scoring.SharedScorers;
import dev.ser.stream.scoring.UtteranceScoring;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Each utterance takes the TaskManager's active model ({@link SharedScorers}: a model update may
 * replace it between two utterances) and keeps it until its outcome: features with that model's
 * configuration on the task thread, inference on that model's shared micro-batcher, the event made
 * ({@link EventMapper}, naming that model) when the batch completes; a failed or
 * timed-out utterance becomes a {@code SCORING_FAILED} dead letter ({@link UtteranceScoring}), never
 * a job failure. Runs under Flink's async I/O operator, which checkpoints the utterances still in
 * flight, so none is lost on failure; {@link ScoringOutcomeRouter} splits events from dead letters.
 */
@Internal
public final class AsyncScoringFunction extends RichAsyncFunction<UtteranceRecord, EventOrDeadLetter> {

  private static final long serialVersionUID = 1L;

  /** One per model, and the sample rate of each (an utterance's rate chooses; 0, older records: the first). */
  private final List<SharedScorers.Spec> specs;
  private final int[] rates;
  /** Events with a lower confidence are marked uncertain. */
  private final double uncertainBelow;
  private final String inputTopic;
  private final long timeoutMs;
  private transient SharedScorers.Lease[] shared;
  /** Per model: the version the last utterance was scored with, and how to score with it. */
  private transient ScoringModel[] current;
  private transient UtteranceScoring[] scoring;
  private transient Counter eventsOut;
  private transient Counter scoringFailures;
  private transient Histogram batchSize;
  private transient Histogram inferenceMicros;
  private transient Histogram endOfUtteranceToEventMs;

  /**
   * @param specs      one per model; an utterance goes to the one whose rate ({@code rates}) its samples are at
   * @param inputTopic named in the dead letters of utterances that could not be scored
   * @param timeoutMs  the async operator's timeout, named in their messages
   */
  public AsyncScoringFunction(List<SharedScorers.Spec> specs, int[] rates, String inputTopic, long timeoutMs,
      double uncertainBelow) {
    if (specs.size() != rates.length) {
      throw new IllegalArgumentException(specs.size() + " models but " + rates.length + " rates");
    }
    this.uncertainBelow = uncertainBelow;
    this.specs = List.copyOf(specs);
    this.rates = rates.clone();
    this.inputTopic = inputTopic;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    String job = getRuntimeContext().getJobInfo().getJobId().toString();
    shared = new SharedScorers.Lease[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      shared[i] = SharedScorers.acquire(specs.get(i), job);
    }
    current = new ScoringModel[specs.size()];
    scoring = new UtteranceScoring[specs.size()];
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
  public void asyncInvoke(UtteranceRecord u, ResultFuture<EventOrDeadLetter> result) throws Exception {
    int which = modelOf(u);
    ModelSwitchboard<ScoringModel>.Lease model = shared[which].switchboard().acquire();
    CompletableFuture<UtteranceScoring.Outcome> outcome;
    try {
      UtteranceScoring scoring = scoringWith(which, model.model());
      outcome = scoring.score(u, model.model().extractor().extract(u.samples), System::currentTimeMillis);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    outcome.whenComplete((done, error) -> {
      release(model);
      if (error != null) {
        result.completeExceptionally(error); // an Error (out of memory): the task restarts
        return;
      }
      if (done.deadLetter() != null) {
        synchronized (this) {
          scoringFailures.inc();
        }
        result.complete(List.of(EventOrDeadLetter.deadLetter(done.deadLetter())));
        return;
      }
      synchronized (this) { // histograms are updated from the batcher thread
        eventsOut.inc();
        batchSize.update(done.batchSize());
        inferenceMicros.update(done.inferenceNanos() / 1000);
        endOfUtteranceToEventMs.update(done.latencyMs());
      }
      result.complete(List.of(EventOrDeadLetter.event(done.event())));
    });
  }

  /** The model an utterance goes to: the one at its samples' rate (the first for records without a rate). */
  private int modelOf(UtteranceRecord u) {
    for (int i = 0; i < rates.length; i++) {
      if (rates[i] == u.sampleRate) {
        return i;
      }
    }
    return 0;
  }

  /** How to score with model {@code which}: built again only when its active version changed (on the task thread). */
  private UtteranceScoring scoringWith(int which, ScoringModel model) {
    if (model != current[which]) {
      current[which] = model;
      scoring[which] = new UtteranceScoring(model.batcher()::submit, batch -> model.scorer().predict(batch),
          new EventMapper(model.metadata(), uncertainBelow), inputTopic);
    }
    return scoring[which];
  }

  private static void release(ModelSwitchboard<ScoringModel>.Lease model) {
    try {
      model.close();
    } catch (Exception e) {
      // closing a replaced model failed: it scores nothing more either way
    }
  }

  /** No answer in time: a dead letter for this utterance instead of a failed job (a hung model call). */
  @Override
  public void timeout(UtteranceRecord u, ResultFuture<EventOrDeadLetter> result) {
    synchronized (this) {
      scoringFailures.inc();
    }
    result.complete(List.of(EventOrDeadLetter.deadLetter(
        UtteranceScoring.timedOut(u, inputTopic, timeoutMs, System.currentTimeMillis()))));
  }

  @Override
  public void close() throws Exception {
    if (shared != null) {
      for (SharedScorers.Lease l : shared) {
        if (l != null) {
          l.close();
        }
      }
      shared = null;
      current = null;
      scoring = null;
    }
  }
}
