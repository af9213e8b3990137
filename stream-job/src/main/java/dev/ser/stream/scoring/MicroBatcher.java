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
 * comes first. {@code threads} worker threads take batches from the same queue, so with more than one,
 * batches run concurrently on several cores (ONNX Runtime sessions allow concurrent runs).
 */
public final class MicroBatcher implements AutoCloseable {

  /** Scores one batch at once: an ONNX Runtime call ({@code EmotionScorer::predict}). */
  public interface Model {
    List<EmotionScorer.Prediction> predict(List<MfccMatrix> batch) throws Exception;
  }

  /** A result with how it was computed, for the batch-size and latency metrics. */
  public record Scored(EmotionScorer.Prediction prediction, int batchSize, long inferenceNanos) {}

  private record Request(MfccMatrix features, long enqueuedNanos, CompletableFuture<Scored> result) {}

  private final Model scorer;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  public MicroBatcher(EmotionScorer scorer, int maxBatchSize, Duration maxWait) {
    this(scorer, maxBatchSize, maxWait, 1);
  }

  public MicroBatcher(EmotionScorer scorer, int maxBatchSize, Duration maxWait, int threadCount) {
    this(scorer == null ? null : scorer::predict, maxBatchSize, maxWait, threadCount);
  }

  public MicroBatcher(Model scorer, int maxBatchSize, Duration maxWait, int threadCount) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max batch size must be at least 1, got " + maxBatchSize);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("max batch wait must not be negative, got " + maxWait);
    }
    if (threadCount < 1) {
      throw new IllegalArgumentException("scoring threads must be at least 1, got " + threadCount);
    }
    this.scorer = scorer;
    this.maxBatchSize = maxBatchSize;
    this.maxWaitNanos = maxWait.toNanos();
    for (int i = 0; i < threadCount; i++) {
      Thread t = new Thread(this::loop, "ser-scoring-batcher-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
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
    stop(Duration.ofSeconds(30));
  }

  /**
   * Stops taking requests (those queued fail) and waits up to {@code wait} for the batches being
   * scored to finish.
   *
   * A worker may call it itself, from a result's callback (the last utterance of a replaced model
   * completing): it is then past its model call, so it is not waited for.
   *
   * @return whether every worker thread has ended (or is the caller): only then may the model's session
   *     be closed, since closing an ONNX Runtime session under a running call crashes the process
   */
  public boolean stop(Duration wait) throws InterruptedException {
    running = false;
    Thread self = Thread.currentThread();
    for (Thread t : threads) {
      if (t != self) {
        t.interrupt(); // wakes a waiting worker; a native call in progress runs to its end
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (Thread t : threads) {
      if (t != self) {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    }
    return threads.stream().noneMatch(t -> t != self && t.isAlive());
  }
}
