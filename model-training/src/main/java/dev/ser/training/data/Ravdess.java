package dev.ser.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * RAVDESS speech: {@code Actor_NN/MM-VV-EE-II-SS-RR-AA.wav}; EE is the emotion (01 neutral, 02 calm,
 * 03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust, 08 surprised), AA the actor. Song files
 * (vocal channel 02) are skipped, as in the papers' 1440-clip speech set.
 */
public final class Ravdess implements Corpus {

  private static final List<String> LABELS =
      List.of("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised");

  @Override
  public String name() {
    return "ravdess";
  }

  @Override
  public List<String> labels() {
    return LABELS;
  }

  @Override
  public List<LabeledClip> load(Path root) {
    List<LabeledClip> clips = new ArrayList<>();
    for (Path wav : Corpus.wavFiles(root)) {
      String[] parts = Corpus.stem(wav).split("-");
      if (parts.length != 7) {
        throw new CorpusException(wav + ": not a RAVDESS name (MM-VV-EE-II-SS-RR-AA, e.g. 03-01-05-01-02-01-12)");
      }
      if (!parts[1].equals("01")) {
        continue; // song
      }
      int code = parse(wav, parts[2]);
      if (code < 1 || code > LABELS.size()) {
        throw Corpus.unknownLabel(wav, parts[2], name(), List.of("01..08"));
      }
      clips.add(new LabeledClip(wav, LABELS.get(code - 1), "actor" + parts[6]));
    }
    return clips;
  }

  private static int parse(Path wav, String field) {
    try {
      return Integer.parseInt(field);
    } catch (NumberFormatException e) {
      throw new CorpusException(wav + ": emotion field \"" + field + "\" is not a number");
    }
  }
}
