package dev.ser.stream.call;

import java.io.Serializable;
import java.util.List;
import dev.ser.stream.scoring.ScoredChannels;
import java.util.Set;

/**
 * The settings of the call stage (each one a job setting, {@code call-*}). Which events are
 * uncertain the event itself says ({@code EmotionEvent.uncertain}, from {@code call-uncertain-below}).
 *
 * @param negativeLabels      labels whose probabilities add up to an utterance's negative affect
 * @param smoothing           weight of a new certain utterance in the exponentially weighted score (0..1]
 * @param raiseAbove          SUSTAINED_NEGATIVE: the score above this ...
 * @param sustainedUtterances ... after this many certain utterances in a row
 * @param riseBy              RISING_NEGATIVE: the score this much above its lowest value ...
 * @param riseWithinMs        ... among the certain utterances that ended within this much call time
 * @param clearBelow          an episode ends (CLEARED) when the score falls under this (hysteresis: below raiseAbove)
 * @param alertChannels       channels alerts are raised for, parsed as score-channels is ({@code *} for all; the
 *                            score and summary cover every scored channel)
 * @param endGraceMs          after every channel known ended, how long (job time) another channel of the call may
 *                            still show up, unless the watermark passes the end first
 * @param summaryWaitMs       after every channel of a call ended, how long events still missing are waited for
 * @param idleTimeoutMs       a call of which nothing arrived this long is summarised and forgotten
 */
public record CallRules(Set<String> negativeLabels, double smoothing, double raiseAbove,
    int sustainedUtterances, double riseBy, long riseWithinMs, double clearBelow, ScoredChannels alertChannels,
    long endGraceMs, long summaryWaitMs, long idleTimeoutMs) implements Serializable {

  /** The emotions of the EmoDB label set counted as negative affect. */
  public static final List<String> DEFAULT_NEGATIVE = List.of("angry", "disgust", "fear", "sad");

  public CallRules {
    negativeLabels = Set.copyOf(negativeLabels);
    require(!negativeLabels.isEmpty(), "call-negative-labels must name at least one label");
    require(smoothing > 0 && smoothing <= 1, "call-score-smoothing must be in (0, 1], got " + smoothing);
    require(raiseAbove > 0 && raiseAbove < 1, "call-alert-raise-above must be in (0, 1), got " + raiseAbove);
    require(clearBelow >= 0 && clearBelow < raiseAbove, "call-alert-clear-below must be in [0, call-alert-raise-above),"
        + " got " + clearBelow + " with raise-above " + raiseAbove);
    require(sustainedUtterances >= 1, "call-alert-sustained-utterances must be >= 1, got " + sustainedUtterances);
    require(riseBy > 0 && riseBy <= 1, "call-alert-rise-by must be in (0, 1], got " + riseBy);
    require(riseWithinMs > 0 && endGraceMs >= 0 && idleTimeoutMs > 0,
        "call-alert-rise-within-ms and call-idle-timeout-ms must be > 0, call-end-grace-ms >= 0");
    require(summaryWaitMs >= endGraceMs, "call-summary-wait-ms (" + summaryWaitMs + ") must be at least"
        + " call-end-grace-ms (" + endGraceMs + ")");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
