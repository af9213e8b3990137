package dev.ser.stream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.assembly.UtteranceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Issue 15, item 8: a failing model costs the utterances it cannot score, never the job. */
class UtteranceScoringTest {

  static final EmotionScorer.Prediction SAD = new EmotionScorer.Prediction("sad", 0.625f, new float[] {0.125f, 0.25f, 0.625f});
  static final MfccMatrix FEATURES = new MfccMatrix(1, 3, new float[3]);

  final List<Integer> aloneCalls = new ArrayList<>();

  static UtteranceRecord utterance() {
    UtteranceRecord u = EventMapperTest.utterance();
    u.closedAtMs = 1_000;
    return u;
  }

  UtteranceScoring scoring(CompletableFuture<MicroBatcher.Scored> batch, MicroBatcher.Model alone) {
    return new UtteranceScoring(f -> batch, batchOf -> {
      aloneCalls.add(batchOf.size());
      return alone.predict(batchOf);
    }, new EventMapper(EventMapperTest.MODEL, 0.4), "audio-chunks");
  }

  @Test
  void aScoredUtteranceIsItsEventWithItsBatchAndLatency() throws Exception {
    var outcome = scoring(CompletableFuture.completedFuture(new MicroBatcher.Scored(SAD, 4, 2_000)), b -> {
      throw new AssertionError("no retry");
    }).score(utterance(), FEATURES, () -> 1_037).get();
    assertThat(outcome.deadLetter()).isNull();
    assertThat(outcome.event().key).isEqualTo("c-1/customer/4");
    assertThat(outcome.batchSize()).isEqualTo(4);
    assertThat(outcome.inferenceNanos()).isEqualTo(2_000);
    assertThat(outcome.latencyMs()).isEqualTo(37);
    assertThat(aloneCalls).isEmpty();
  }

  @Test
  void aFailedBatchIsRetriedAloneOnce() throws Exception {
    var outcome = scoring(CompletableFuture.failedFuture(new IllegalStateException("batch of 8 failed")),
        b -> List.of(SAD)).score(utterance(), FEATURES, () -> 1_050).get();
    assertThat(outcome.deadLetter()).isNull();
    assertThat(outcome.event().key).isEqualTo("c-1/customer/4");
    assertThat(outcome.batchSize()).isEqualTo(1);
    assertThat(outcome.latencyMs()).isEqualTo(50);
    assertThat(aloneCalls).containsExactly(1);
  }

  @Test
  void failingTwiceGivesADeadLetterNamingTheUtteranceAndBothReasons() throws Exception {
    var outcome = scoring(CompletableFuture.failedFuture(new IllegalStateException("batch of 8 failed")), b -> {
      throw new ArithmeticException("bad input");
    }).score(utterance(), FEATURES, () -> 5_000).get();
    assertThat(outcome.event()).isNull();
    var d = outcome.deadLetter();
    assertThat(d.kind).isEqualTo(DeadLetterKind.SCORING_FAILED);
    assertThat(d.message).isEqualTo("utterance c-1/customer/4: scoring failed twice (in a batch:"
        + " IllegalStateException: batch of 8 failed; alone: ArithmeticException: bad input)");
    assertThat(new String(d.key, StandardCharsets.UTF_8)).isEqualTo("c-1/customer/4");
    assertThat(d.value).as("no audio in the dead letter").isNull();
    assertThat(d.sourceTopic).isEqualTo("audio-chunks");
    assertThat(d.sourcePartition).isEqualTo(-1);
    assertThat(d.sourceOffset).isEqualTo(-1);
    assertThat(d.timestamp).isEqualTo(5_000);
    assertThat(aloneCalls).containsExactly(1);
  }

  @Test
  void aTimeoutIsADeadLetter() {
    var d = UtteranceScoring.timedOut(utterance(), "audio-chunks", 60_000, 70_000);
    assertThat(d.sourceTopic).isEqualTo("audio-chunks");
    assertThat(d.kind).isEqualTo(DeadLetterKind.SCORING_FAILED);
    assertThat(d.message).isEqualTo("utterance c-1/customer/4: not scored within 60000 ms (inference-timeout-ms):"
        + " the model call is slow or hung");
  }

  @Test
  void anErrorStillFailsTheTask() {
    var result = scoring(CompletableFuture.failedFuture(new OutOfMemoryError("Java heap space")),
        b -> List.of(SAD)).score(utterance(), FEATURES, () -> 0);
    assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(OutOfMemoryError.class);
    assertThat(aloneCalls).isEmpty();
  }
}
