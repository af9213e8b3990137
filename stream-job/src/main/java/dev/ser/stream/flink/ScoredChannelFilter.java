package dev.ser.stream.flink;

import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.scoring.ScoredChannels;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Lets through the utterances of the channels the job may score ({@link ScoredChannels}); the
 * others are counted ({@code unscored_utterances}) and go no further, so their audio never reaches
 * the model.
 */
@Internal
public final class ScoredChannelFilter extends RichFilterFunction<UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  private final ScoredChannels scored;
  private transient Counter unscored;

  public ScoredChannelFilter(ScoredChannels scored) {
    this.scored = scored;
  }

  @Override
  public void open(OpenContext openContext) {
    unscored = getRuntimeContext().getMetricGroup().counter("unscored_utterances");
  }

  @Override
  public boolean filter(UtteranceRecord u) {
    if (scored.scores(u.channel)) {
      return true;
    }
    unscored.inc();
    return false;
  }
}
