package dev.ser.training.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * EMOVO: {@code SPEAKER/EMO-SPEAKER-SENTENCE.wav} (e.g. {@code f1/rab-f1-b1.wav}); codes dis
 * (disgust), gio (joy), neu, pau (fear), rab (anger), sor (surprise), tri (sadness).
 */
public final class Emovo extends CodedCorpus {

  public Emovo() {
    super(new TreeMap<>(Map.of("dis", "disgust", "gio", "happy", "neu", "neutral", "pau", "fear", "rab", "angry",
        "sor", "surprise", "tri", "sad")));
  }

  @Override
  public String name() {
    return "emovo";
  }

  @Override
  public List<String> labels() {
    return List.of("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise");
  }

  @Override
  String code(Path root, Path wav) {
    String[] parts = Corpus.stem(wav).split("-");
    if (parts.length != 3) {
      throw new CorpusException(wav + ": not an EMOVO name (EMO-SPEAKER-SENTENCE, e.g. rab-f1-b1)");
    }
    return parts[0];
  }

  @Override
  String speaker(Path root, Path wav) {
    return Corpus.stem(wav).split("-")[1];
  }
}
