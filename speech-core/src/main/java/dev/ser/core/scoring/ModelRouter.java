package dev.ser.core.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which of several models scores audio, by the sample rate the audio comes at (the telephony issue;
 * {@code ser score} with several models, and the stream job per channel once it routes): a stream at or below the lowest model's rate goes to that model (narrowband), one at or
 * above the highest model's rate to that one (wideband), and one between two models' rates to the
 * lower or the higher of them as {@link Between} says. With one model every stream goes to it (it
 * is resampled, as before routing). With several, a stream below every model's rate has no model:
 * {@link #route} says why (for a dead letter, or the command's error).
 */
public final class ModelRouter implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  /** Where a stream between two models' rates goes. */
  public enum Between {
    /** The model below (its audio is resampled down: nothing the lower model learned is missing). */
    LOWER,
    /** The model above (its audio is resampled up: the band above the stream's Nyquist is empty). */
    HIGHER;

    public static Between parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("must be lower or higher, got " + s);
      }
    }
  }

  /** A model the router may choose: its name (for messages) and the sample rate of its features. */
  public record Candidate(String name, int sampleRate) implements java.io.Serializable {}

  /** The choice for one stream rate: the candidate's index, or why there is none. */
  public record Route(int model, String refusal) {
    public boolean routed() {
      return refusal == null;
    }
  }

  private final List<Candidate> byRate;
  private final List<Candidate> given;
  private final Between between;

  public ModelRouter(List<Candidate> models, Between between) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("the job needs at least one model");
    }
    List<Candidate> sorted = new ArrayList<>(models);
    sorted.sort(Comparator.comparingInt(Candidate::sampleRate));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).sampleRate() == sorted.get(i - 1).sampleRate()) {
        throw new IllegalArgumentException("two models at " + sorted.get(i).sampleRate() + " Hz (" + sorted.get(i - 1)
            .name() + ", " + sorted.get(i).name() + "): a stream's rate could not choose between them");
      }
    }
    this.byRate = List.copyOf(sorted);
    this.given = List.copyOf(models);
    this.between = between;
  }

  /** The candidates in the order given. */
  public List<Candidate> candidates() {
    return given;
  }

  /** The model for a stream at {@code streamRate} Hz (an index into the list given), or why none. */
  public Route route(int streamRate) {
    if (byRate.size() == 1) {
      return new Route(0, null);
    }
    Candidate lowest = byRate.get(0);
    if (streamRate < lowest.sampleRate()) {
      return new Route(-1, "no model for a " + streamRate + " Hz stream: the lowest model rate is "
          + lowest.sampleRate() + " Hz (" + lowest.name() + ")");
    }
    Candidate chosen = byRate.get(byRate.size() - 1);
    for (int i = 0; i < byRate.size(); i++) {
      Candidate c = byRate.get(i);
      if (streamRate == c.sampleRate()) {
        chosen = c;
        break;
      }
      if (streamRate < c.sampleRate()) {
        chosen = between == Between.HIGHER ? c : byRate.get(i - 1);
        break;
      }
    }
    return new Route(given.indexOf(chosen), null);
  }
}
