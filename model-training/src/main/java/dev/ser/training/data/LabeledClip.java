package dev.ser.training.data;

import java.nio.file.Path;

/**
 * One utterance of a corpus: its audio file, emotion label and speaker.
 *
 * @param speaker speaker id, or {@link #UNKNOWN_SPEAKER} where the layout does not tell
 */
public record LabeledClip(Path audio, String label, String speaker) {

  public static final String UNKNOWN_SPEAKER = "unknown";
}
