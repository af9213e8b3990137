package dev.ser.training.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** CASIA: {@code SPEAKER/EMOTION/NNN.wav}, emotions angry, fear, happy, neutral, sad, surprise. */
public final class Casia extends CodedCorpus {

  public Casia() {
    super(new TreeMap<>(Map.of("angry", "angry", "fear", "fear", "happy", "happy", "neutral", "neutral",
        "sad", "sad", "surprise", "surprise")));
  }

  @Override
  public String name() {
    return "casia";
  }

  @Override
  public List<String> labels() {
    return List.of("angry", "fear", "happy", "neutral", "sad", "surprise");
  }

  @Override
  String code(Path root, Path wav) {
    return folder(root, wav, 1);
  }

  @Override
  String speaker(Path root, Path wav) {
    return folder(root, wav, 0);
  }
}
