package dev.ser.stream.flink;

import dev.ser.stream.scoring.EventOrDeadLetter;
import dev.ser.stream.scoring.EventRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Events go on to the events sink; utterances that could not be scored to the dead-letter side output. */
@Internal
public final class ScoringOutcomeRouter extends ProcessFunction<EventOrDeadLetter, EventRecord> {

  private static final long serialVersionUID = 1L;

  @Override
  public void processElement(EventOrDeadLetter r, Context ctx, Collector<EventRecord> out) {
    if (r.event != null) {
      out.collect(r.event);
    } else {
      ctx.output(ChannelAssemblyFunction.DEAD_LETTERS, r.deadLetter);
    }
  }
}
