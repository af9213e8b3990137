package dev.ser.stream.flink;

import dev.ser.core.features.MfccExtractor;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.scoring.EventMapper;
import dev.ser.stream.scoring.EventRecord;
import dev.ser.stream.scoring.SharedScorers;
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
 * ({@link SharedScorers}), the event made ({@link EventMapper}) when the batch completes. Runs under Flink's async I/O
 * operator, which checkpoints the utterances still in flight, so none is lost on failure.
 */
@Internal
public final class AsyncScoringFunction extends RichAsyncFunction<UtteranceRecord, EventRecord> {

  private static final long serialVersionUID = 1L;

  private final SharedScorers.Spec spec;
  private transient SharedScorers.Lease lease;
  private transient MfccExtractor extractor;
  private transient EventMapper events;
  private transient Counter eventsOut;
  private transient Histogram batchSize;
  private transient Histogram inferenceMicros;
  private transient Histogram endOfUtteranceToEventMs;

  public AsyncScoringFunction(SharedScorers.Spec spec) {
    this.spec = spec;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    lease = SharedScorers.acquire(spec);
    ModelMetadata metadata = lease.scorer().metadata();
    extractor = new MfccExtractor(metadata.features());
    events = new EventMapper(metadata);
    var metrics = getRuntimeContext().getMetricGroup();
    eventsOut = metrics.counter("eventsOut");
    batchSize = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
    inferenceMicros = metrics.histogram("inferenceLatencyMicros", new DescriptiveStatisticsHistogram(1000));
    endOfUtteranceToEventMs = metrics.histogram("endOfUtteranceToEventMs", new DescriptiveStatisticsHistogram(1000));
  }

  @Override
  public void asyncInvoke(UtteranceRecord u, ResultFuture<EventRecord> result) {
    var features = extractor.extract(u.samples);
    lease.batcher().submit(features).whenComplete((scored, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
        return;
      }
      try {
        long latency = System.currentTimeMillis() - u.closedAtMs;
        EventRecord event = events.toRecord(u, scored.prediction(), latency);
        synchronized (this) { // histograms are updated from the batcher thread
          eventsOut.inc();
          batchSize.update(scored.batchSize());
          inferenceMicros.update(scored.inferenceNanos() / 1000);
          endOfUtteranceToEventMs.update(latency);
        }
        result.complete(List.of(event));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
  }

  @Override
  public void close() throws Exception {
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
