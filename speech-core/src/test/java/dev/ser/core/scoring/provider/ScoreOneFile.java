package dev.ser.core.scoring.provider;

import dev.ser.core.audio.WavFile;
import dev.ser.core.scoring.EmotionScorer;
import java.nio.file.Path;
import java.util.Locale;

/** A child JVM's main for {@link LongCommandLineTest}: scores one WAV file and prints "label (confidence)". */
public final class ScoreOneFile {

  private ScoreOneFile() {}

  public static void main(String[] args) throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(Path.of(args[0]))) {
      EmotionScorer.Prediction p = scorer.predict(WavFile.readMono(Path.of(args[1]),
          scorer.metadata().features().sampleRate()));
      System.out.printf(Locale.ROOT, "%s (%.3f)%n", p.label(), p.confidence());
    }
  }
}
