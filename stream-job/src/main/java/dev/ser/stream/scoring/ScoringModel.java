package dev.ser.stream.scoring;

import dev.ser.core.features.MfccExtractor;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one model needs to score in the job: its ONNX Runtime session, its micro-batcher and the
 * feature extractor for its own feature configuration (so a model update may change the features).
 * What a {@link dev.ser.stream.model.ModelSwitchboard} swaps; closing it stops the batcher and then
 * closes the session.
 */
public final class ScoringModel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScoringModel.class);

  private final EmotionScorer scorer;
  private final MicroBatcher batcher;
  private final MfccExtractor extractor;

  /** Takes ownership of {@code scorer}. */
  public ScoringModel(EmotionScorer scorer, int maxBatchSize, Duration maxBatchWait, int scoringThreads) {
    this.scorer = scorer;
    this.extractor = new MfccExtractor(scorer.metadata().features());
    this.batcher = new MicroBatcher(scorer, maxBatchSize, maxBatchWait, scoringThreads);
  }

  public EmotionScorer scorer() {
    return scorer;
  }

  public MicroBatcher batcher() {
    return batcher;
  }

  public MfccExtractor extractor() {
    return extractor;
  }

  public ModelMetadata metadata() {
    return scorer.metadata();
  }

  @Override
  public void close() throws Exception {
    if (batcher.stop(Duration.ofSeconds(30))) {
      scorer.close();
      LOG.info("closed the scorer of {} {}", metadata().name(), metadata().version());
    } else {
      // closing the session under a running inference would crash the JVM: leave it to the process's end
      LOG.warn("an inference of {} {} still runs 30 s after its last utterance; its ONNX Runtime session is left"
          + " open (a hung model call?)", metadata().name(), metadata().version());
    }
  }
}
