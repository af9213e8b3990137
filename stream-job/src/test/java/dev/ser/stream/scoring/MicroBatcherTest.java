package dev.ser.stream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.stream.TestAudio;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  static List<MfccMatrix> inputs(EmotionScorer scorer, int n) {
    Random random = new Random(2);
    List<MfccMatrix> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = new float[22050];
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) (0.1 * random.nextGaussian() * Math.sin(k * 0.01 * (i + 1)));
      }
      out.add(scorer.extractor().extract(x));
    }
    return out;
  }

  @Test
  void requestsWaitingTogetherFormOneBatchWithTheSameResultsAsAlone() throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(TestAudio.model())) {
      List<MfccMatrix> in = inputs(scorer, 10);
      MicroBatcher batcher = new MicroBatcher(scorer, 4, Duration.ofSeconds(1));
      try {
        List<CompletableFuture<MicroBatcher.Scored>> futures = new ArrayList<>();
        for (MfccMatrix m : in) {
          futures.add(batcher.submit(m));
        }
        // 10 requests, batches of at most 4: 4 + 4 at once, the last 2 after the wait
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
          MicroBatcher.Scored s = futures.get(i).get();
          sizes.add(s.batchSize());
          assertThat(s.prediction().scores()).containsExactly(scorer.predict(List.of(in.get(i))).get(0).scores(),
              org.assertj.core.api.Assertions.within(1e-6f));
        }
        assertThat(sizes).containsExactly(4, 4, 4, 4, 4, 4, 4, 4, 2, 2);
      } finally {
        batcher.close();
      }
    }
  }

  @Test
  void severalThreadsScoreConcurrentlyWithTheSameResults() throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(TestAudio.model())) {
      List<MfccMatrix> in = inputs(scorer, 12);
      MicroBatcher batcher = new MicroBatcher(scorer, 1, Duration.ZERO, 3);
      try {
        List<CompletableFuture<MicroBatcher.Scored>> futures = new ArrayList<>();
        for (MfccMatrix m : in) {
          futures.add(batcher.submit(m));
        }
        for (int i = 0; i < in.size(); i++) {
          MicroBatcher.Scored s = futures.get(i).get();
          assertThat(s.batchSize()).isEqualTo(1);
          assertThat(s.prediction().scores()).containsExactly(scorer.predict(List.of(in.get(i))).get(0).scores(),
              org.assertj.core.api.Assertions.within(1e-6f));
        }
      } finally {
        batcher.close();
      }
    }
    assertThatThrownBy(() -> new MicroBatcher((EmotionScorer) null, 1, Duration.ZERO, 0))
        .hasMessage("scoring threads must be at least 1, got 0");
  }

  @Test
  void aLoneRequestRunsAfterTheMaximumWait() throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(TestAudio.model())) {
      MicroBatcher batcher = new MicroBatcher(scorer, 32, Duration.ofMillis(20));
      try {
        long start = System.nanoTime();
        MicroBatcher.Scored s = batcher.submit(inputs(scorer, 1).get(0)).get();
        assertThat(s.batchSize()).isEqualTo(1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
      } finally {
        batcher.close();
      }
    }
  }

  @Test
  void anInferenceErrorFailsTheRequestsOfItsBatchAndClosedBatchersRefuse() throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(TestAudio.model())) {
      MicroBatcher batcher = new MicroBatcher(scorer, 8, Duration.ZERO);
      CompletableFuture<MicroBatcher.Scored> bad = batcher.submit(new MfccMatrix(3, 39, new float[3 * 39]));
      assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class)
          .hasMessageContaining("the model takes 188 x 39 MFCCs, got 3 x 39");
      batcher.close();
      assertThatThrownBy(() -> batcher.submit(inputs(scorer, 1).get(0)).get())
          .hasMessageContaining("the scoring batcher is closed");
    }
    assertThatThrownBy(() -> new MicroBatcher((EmotionScorer) null, 0, Duration.ZERO))
        .hasMessage("max batch size must be at least 1, got 0");
  }

  /** Issue 15, item 8: the session may be closed only after the batch being scored has returned. */
  @Test
  void stoppingWaitsForTheBatchInFlightAndSaysWhetherItEnded() throws Exception {
    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    MicroBatcher.Model hung = batch -> {
      inside.countDown();
      while (release.getCount() > 0) { // like a native call, deaf to the interrupt
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      return java.util.Collections.nCopies(batch.size(), new EmotionScorer.Prediction("sad", 1f, new float[] {1f}));
    };
    MicroBatcher batcher = new MicroBatcher(hung, 1, Duration.ZERO, 1);
    CompletableFuture<MicroBatcher.Scored> running = batcher.submit(new MfccMatrix(1, 1, new float[1]));
    inside.await();
    assertThat(batcher.stop(Duration.ofMillis(200))).as("a batch is still being scored").isFalse();
    release.countDown();
    assertThat(batcher.stop(Duration.ofSeconds(10))).isTrue();
    assertThat(running.get().prediction().label()).isEqualTo("sad");
  }

  @Test
  void aStopFromAResultCallbackOnTheBatchersOwnThreadDoesNotWaitForItself() throws Exception {
    // a swapped-out model is closed when its last utterance completes: on the batcher's thread
    MicroBatcher.Model model = batch -> java.util.Collections.nCopies(batch.size(),
        new EmotionScorer.Prediction("sad", 1f, new float[] {1f}));
    MicroBatcher batcher = new MicroBatcher(model, 1, Duration.ZERO, 2);
    CompletableFuture<Boolean> stopped = batcher.submit(new MfccMatrix(1, 1, new float[1])).thenApply(scored -> {
      try {
        return batcher.stop(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(stopped.get()).as("the other worker ended and this one is past its model call").isTrue();
    assertThatThrownBy(() -> batcher.submit(new MfccMatrix(1, 1, new float[1])).get())
        .hasMessageContaining("the scoring batcher is closed");
  }
}
