package dev.ser.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Berlin EmoDB: files {@code SSTTTEV.wav} (speaker, text, emotion letter, take), in the root or in
 * {@code wav/}. Letters: W anger, L boredom, E disgust, A fear, F happiness, T sadness, N neutral.
 */
public final class EmoDb implements Corpus {

  private static final Map<Character, String> LABELS = new LinkedHashMap<>();

  static {
    LABELS.put('W', "angry");
    LABELS.put('L', "boredom");
    LABELS.put('E', "disgust");
    LABELS.put('A', "fear");
    LABELS.put('F', "happy");
    LABELS.put('N', "neutral");
    LABELS.put('T', "sad");
  }

  @Override
  public String name() {
    return "emodb";
  }

  @Override
  public List<String> labels() {
    return List.of("angry", "boredom", "disgust", "fear", "happy", "neutral", "sad");
  }

  @Override
  public List<LabeledClip> load(Path root) {
    List<LabeledClip> clips = new ArrayList<>();
    for (Path wav : Corpus.wavFiles(root)) {
      String stem = Corpus.stem(wav);
      if (stem.length() != 7) {
        throw new CorpusException(wav + ": not an EmoDB name (SSTTTEV, e.g. 03a01Fa)");
      }
      String label = LABELS.get(stem.charAt(5));
      if (label == null) {
        throw Corpus.unknownLabel(wav, String.valueOf(stem.charAt(5)), name(), LABELS.keySet().stream().map(String::valueOf).toList());
      }
      clips.add(new LabeledClip(wav, label, stem.substring(0, 2)));
    }
    return clips;
  }
}
