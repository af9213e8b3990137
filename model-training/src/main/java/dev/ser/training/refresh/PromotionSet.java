package dev.ser.training.refresh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.core.audio.WavFile;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.training.data.Corpus;
import dev.ser.training.data.LabeledClip;
import dev.ser.training.eval.Metrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The labelled clips a refresh judges models on: a directory of WAV files named as the corpus names
 * them (for EmoDB the 21 demo clips in {@code samples/emodb}, 3 per class). The refresh leaves them
 * out of the candidate's final training, scores the candidate and the current model on them with
 * the scoring path of {@code ser score} (the file's own features and labels), and compares the
 * two; what a model file says about itself is never used.
 */
public final class PromotionSet {

  /** A model's result on the set; {@code sawSet}: its metadata does not list every clip as left out of its training. */
  public record Score(double uar, int correct, int clips, boolean sawSet) {}

  private final Path dir;
  private final List<LabeledClip> clips;

  private PromotionSet(Path dir, List<LabeledClip> clips) {
    this.dir = dir;
    this.clips = clips;
  }

  public static PromotionSet load(String corpus, Path dir) {
    List<LabeledClip> clips = Corpus.named(corpus, dir).load(dir);
    return new PromotionSet(dir, clips);
  }

  public Path dir() {
    return dir;
  }

  public List<LabeledClip> clips() {
    return clips;
  }

  /** The clips' file names (what {@code ser train --final-exclude} leaves out). */
  public Set<String> fileNames() {
    Set<String> names = new TreeSet<>();
    clips.forEach(c -> names.add(c.audio().getFileName().toString()));
    return names;
  }

  /** Scores {@code model} on every clip; unweighted average recall over the classes present. */
  public Score score(Path model) throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(model)) {
      ModelMetadata m = scorer.metadata();
      int[] truth = new int[clips.size()];
      int[] predicted = new int[clips.size()];
      int correct = 0;
      for (int i = 0; i < clips.size(); i++) {
        LabeledClip c = clips.get(i);
        truth[i] = m.labels().indexOf(c.label());
        if (truth[i] < 0) {
          throw new IllegalArgumentException(c.audio() + " is labelled " + c.label() + ", which " + m.name() + " "
              + m.version() + " does not know (its labels: " + m.labels() + ")");
        }
        predicted[i] = m.labels().indexOf(scorer.predict(WavFile.readMono(c.audio(), m.features().sampleRate())).label());
        if (predicted[i] == truth[i]) {
          correct++;
        }
      }
      return new Score(Metrics.of(m.labels(), truth, predicted).uar(), correct, clips.size(), !leftOut(m));
    }
  }

  /** Whether {@code m}'s metadata lists every clip of the set as left out of its final training. */
  private boolean leftOut(ModelMetadata m) throws Exception {
    JsonNode summary = m.crossValidation() == null ? null : new ObjectMapper().readTree(m.crossValidation());
    JsonNode excluded = summary == null ? null : summary.get("final_model_excluded");
    if (excluded == null || !excluded.isArray()) {
      return false;
    }
    Set<String> names = new TreeSet<>();
    excluded.forEach(n -> names.add(n.asText()));
    return names.containsAll(fileNames());
  }
}
