package dev.ser.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Any corpus laid out as {@code LABEL/.../*.wav}; labels sorted by name, speakers unknown. */
public final class FolderPerLabel implements Corpus {

  private final List<String> labels;

  private FolderPerLabel(List<String> labels) {
    this.labels = labels;
  }

  static FolderPerLabel scan(Path root) {
    if (!Files.isDirectory(root)) {
      throw new CorpusException("corpus folder " + root + " does not exist or is not a folder");
    }
    try (Stream<Path> dirs = Files.list(root)) {
      List<String> labels = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      if (labels.size() < 2) {
        throw new CorpusException(root + " needs one folder per label and at least two labels; found " + labels);
      }
      return new FolderPerLabel(labels);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "folders";
  }

  @Override
  public List<String> labels() {
    return labels;
  }

  @Override
  public List<LabeledClip> load(Path root) {
    List<LabeledClip> clips = new ArrayList<>();
    for (String label : labels) {
      Path dir = root.resolve(label);
      List<Path> wavs;
      try {
        wavs = Corpus.wavFiles(dir);
      } catch (CorpusException e) {
        throw new CorpusException("label folder " + dir + " has no .wav files");
      }
      wavs.forEach(w -> clips.add(new LabeledClip(w, label, LabeledClip.UNKNOWN_SPEAKER)));
    }
    return clips;
  }
}
