package dev.ser.stream.scoring;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which channels of a call reach the model. Inferring the emotions of people at their workplace is
 * prohibited in the EU (AI Act, Regulation 2024/1689, Art. 5(1)(f)), and a contact-centre agent is
 * at work; so the job scores the customer's channel only unless the operator names other channels
 * (or {@code *} for all), for a purpose the law allows. Unscored channels are still ordered and
 * segmented; their utterances never reach the model and produce no event.
 */
public final class ScoredChannels implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The production default: the customer's channel only. */
  public static final String DEFAULT = "customer";

  private final Set<String> names;
  private final boolean all;

  private ScoredChannels(Set<String> names, boolean all) {
    this.names = names;
    this.all = all;
  }

  /**
   * Parses the {@code score-channels} setting: channel names separated by commas (spaces around
   * them ignored), or {@code *} alone for every channel.
   */
  public static ScoredChannels parse(String setting) {
    if (setting == null || setting.isBlank()) {
      throw new IllegalArgumentException("score-channels must name at least one channel (or * for all), got '"
          + setting + "'");
    }
    if (setting.strip().equals("*")) {
      return new ScoredChannels(Set.of(), true);
    }
    Set<String> names = new LinkedHashSet<>();
    for (String part : setting.split(",", -1)) {
      String name = part.strip();
      if (name.isEmpty() || name.equals("*")) {
        throw new IllegalArgumentException("score-channels: '" + setting + "' has "
            + (name.isEmpty() ? "an empty name" : "* among names (use * alone for every channel)"));
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("score-channels: '" + setting + "' names " + name + " twice");
      }
    }
    return new ScoredChannels(Set.copyOf(names), false);
  }

  /** Whether an utterance of this channel is scored. */
  public boolean scores(String channel) {
    return all || names.contains(channel);
  }

  /** Whether every channel is scored ({@code *}). */
  public boolean all() {
    return all;
  }

  @Override
  public String toString() {
    return all ? "*" : String.join(",", Arrays.stream(names.toArray(String[]::new)).sorted().toList());
  }
}
