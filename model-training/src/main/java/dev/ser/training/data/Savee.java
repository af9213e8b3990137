package dev.ser.training.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SAVEE: {@code [AudioData/]SPEAKER/CODENN.wav} with speakers DC, JE, JK, KL and codes a (anger),
 * d (disgust), f (fear), h (happiness), n (neutral), sa (sadness), su (surprise).
 */
public final class Savee extends CodedCorpus {

  public Savee() {
    super(new TreeMap<>(Map.of("a", "angry", "d", "disgust", "f", "fear", "h", "happy", "n", "neutral",
        "sa", "sad", "su", "surprise")));
  }

  @Override
  public String name() {
    return "savee";
  }

  @Override
  public List<String> labels() {
    return List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");
  }

  @Override
  String code(Path root, Path wav) {
    return Corpus.stem(wav).replaceAll("[0-9]+$", "");
  }

  @Override
  String speaker(Path root, Path wav) {
    return wav.getParent().getFileName().toString();
  }
}
