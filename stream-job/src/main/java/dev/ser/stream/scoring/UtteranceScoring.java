package dev.ser.stream.scoring;

import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One utterance's way through the model, free of Flink: submitted to the shared batcher; if that
 * fails (a batch fails as a whole, so one bad utterance takes its batch-mates with it), retried once
 * alone; if that fails too, or no answer comes in time, a {@code SCORING_FAILED} dead letter naming
 * the utterance and the reason. A failing or hung model therefore costs the utterances it cannot
 * score, never the job.
 */
public final class UtteranceScoring {

  /**
   * What came of one utterance: its event with how it was computed (for the metrics), or the dead
   * letter saying why there is none.
   */
  public record Outcome(EventRecord event, int batchSize, long inferenceNanos, long latencyMs,
      DeadLetterRecord deadLetter) {

    static Outcome scored(EventRecord event, int batchSize, long inferenceNanos, long latencyMs) {
      return new Outcome(event, batchSize, inferenceNanos, latencyMs, null);
    }

    static Outcome failed(DeadLetterRecord deadLetter) {
      return new Outcome(null, 0, 0, 0, deadLetter);
    }
  }

  private final Function<MfccMatrix, CompletableFuture<MicroBatcher.Scored>> batcher;
  private final MicroBatcher.Model alone;
  private final EventMapper events;
  private final String inputTopic;

  /**
   * @param batcher    the shared batcher's submit
   * @param alone      the model, for the retry of one utterance on its own
   * @param inputTopic the topic the utterance's chunks came from, named in its dead letter
   */
  public UtteranceScoring(Function<MfccMatrix, CompletableFuture<MicroBatcher.Scored>> batcher, MicroBatcher.Model alone,
      EventMapper events, String inputTopic) {
    this.batcher = batcher;
    this.alone = alone;
    this.events = events;
    this.inputTopic = inputTopic;
  }

  /**
   * Scores {@code u}; the future completes with its event, or its dead letter, and fails only for
   * an {@link Error} (out of memory: the task must restart).
   *
   * @param wallNow the wall clock, read when the answer comes (for the latency and the dead letter)
   */
  public CompletableFuture<Outcome> score(UtteranceRecord u, MfccMatrix features, LongSupplier wallNow) {
    return batcher.apply(features).handle((scored, error) -> {
      if (error == null) {
        long latency = wallNow.getAsLong() - u.closedAtMs;
        return Outcome.scored(events.toRecord(u, scored.prediction(), latency), scored.batchSize(),
            scored.inferenceNanos(), latency);
      }
      Throwable first = unwrap(error);
      if (first instanceof Error e) {
        throw e;
      }
      try {
        long start = System.nanoTime();
        EmotionScorer.Prediction p = alone.predict(List.of(features)).get(0);
        long took = System.nanoTime() - start;
        long latency = wallNow.getAsLong() - u.closedAtMs;
        return Outcome.scored(events.toRecord(u, p, latency), 1, took, latency);
      } catch (Exception second) {
        return Outcome.failed(deadLetter(u, inputTopic, "scoring failed twice (in a batch: " + describe(first) + "; alone: "
            + describe(second) + ")", wallNow.getAsLong()));
      }
    });
  }

  /** The dead letter of an utterance with no answer within the inference timeout. */
  public static DeadLetterRecord timedOut(UtteranceRecord u, String inputTopic, long timeoutMs, long wallNow) {
    return deadLetter(u, inputTopic, "not scored within " + timeoutMs + " ms (inference-timeout-ms): the model call is"
        + " slow or hung", wallNow);
  }

  private static DeadLetterRecord deadLetter(UtteranceRecord u, String inputTopic, String reason, long wallNow) {
    // the utterance spans many records: no partition or offset; its id is the key, no audio is kept
    return DeadLetterRecord.of(u.utteranceId().getBytes(StandardCharsets.UTF_8), null, inputTopic, -1, -1,
        DeadLetterKind.SCORING_FAILED, "utterance " + u.utteranceId() + ": " + reason, wallNow);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
