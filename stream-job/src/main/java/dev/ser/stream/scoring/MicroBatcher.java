package dev.ser.stream.scoring;

import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Collects scoring requests from every slot of this JVM into batches: a batch is run when it holds
 * {@code maxBatchSize} requests or when its oldest request has waited {@code maxWait}, whichever
 * comes first. One thread runs the batches in arrival order, so results complete in order.
 */
public final class MicroBatcher implements AutoCloseable {

  /** A result with how it was computed, for the batch-size and latency metrics. */
  public record Scored(EmotionScorer.Prediction prediction, int batchSize, long inferenceNanos) {}

  private record Request(MfccMatrix features, long enqueuedNanos, CompletableFuture<Scored> result) {}

  private final EmotionScorer scorer;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  public MicroBatcher(EmotionScorer scorer, int maxBatchSize, Duration maxWait) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max batch size must be at least 1, got " + maxBatchSize);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("max batch wait must not be negative, got " + maxWait);
    }
    this.scorer = scorer;
    this.maxBatchSize = maxBatchSize;
    this.maxWaitNanos = maxWait.toNanos();
    this.thread = new Thread(this::loop, "ser-scoring-batcher");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  public CompletableFuture<Scored> submit(MfccMatrix features) {
    CompletableFuture<Scored> result = new CompletableFuture<>();
    if (!running) {
      result.completeExceptionally(new IllegalStateException("the scoring batcher is closed"));
      return result;
    }
    queue.add(new Request(features, System.nanoTime(), result));
    return result;
  }

  private void loop() {
    List<Request> batch = new ArrayList<>(maxBatchSize);
    List<MfccMatrix> inputs = new ArrayList<>(maxBatchSize);
    while (running) {
      try {
        Request first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatchSize - 1);
        long deadline = first.enqueuedNanos() + maxWaitNanos;
        while (batch.size() < maxBatchSize) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          Request next = queue.poll(left, TimeUnit.NANOSECONDS);
          if (next == null) {
            break;
          }
          batch.add(next);
          queue.drainTo(batch, maxBatchSize - batch.size());
        }
        run(batch, inputs);
      } catch (InterruptedException e) {
        break;
      } finally {
        batch.clear();
        inputs.clear();
      }
    }
    Request r;
    while ((r = queue.poll()) != null) {
      r.result().completeExceptionally(new IllegalStateException("the scoring batcher was closed"));
    }
  }

  private void run(List<Request> batch, List<MfccMatrix> inputs) {
    for (Request r : batch) {
      inputs.add(r.features());
    }
    try {
      long start = System.nanoTime();
      List<EmotionScorer.Prediction> predictions = scorer.predict(inputs);
      long took = System.nanoTime() - start;
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(new Scored(predictions.get(i), batch.size(), took));
      }
    } catch (Exception | Error e) {
      for (Request r : batch) {
        r.result().completeExceptionally(e);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(10_000);
  }
}
