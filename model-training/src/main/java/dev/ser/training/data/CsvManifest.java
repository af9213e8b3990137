package dev.ser.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A CSV manifest with a header {@code path,label[,speaker]}; paths relative to the CSV's folder.
 * Labels are sorted by name. No quoting: paths and labels must not contain commas.
 */
public final class CsvManifest implements Corpus {

  private final List<LabeledClip> clips;
  private final List<String> labels;

  private CsvManifest(List<LabeledClip> clips) {
    this.clips = clips;
    this.labels = List.copyOf(new TreeSet<>(clips.stream().map(LabeledClip::label).toList()));
  }

  static CsvManifest read(Path csv) {
    if (!Files.isRegularFile(csv)) {
      throw new CorpusException("manifest " + csv + " does not exist or is not a file");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (lines.isEmpty() || !lines.get(0).trim().matches("path,label(,speaker)?")) {
      throw new CorpusException(csv + ": the first line must be the header path,label or path,label,speaker");
    }
    boolean withSpeaker = lines.get(0).trim().endsWith(",speaker");
    Path base = csv.toAbsolutePath().getParent();
    List<LabeledClip> clips = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != (withSpeaker ? 3 : 2) || f[0].isBlank() || f[1].isBlank()) {
        throw new CorpusException(csv + " line " + (i + 1) + ": expected " + (withSpeaker ? 3 : 2)
            + " non-empty fields, got \"" + line + "\"");
      }
      Path audio = base.resolve(f[0].trim());
      if (!Files.isRegularFile(audio)) {
        throw new CorpusException(csv + " line " + (i + 1) + ": " + audio + " does not exist");
      }
      clips.add(new LabeledClip(audio, f[1].trim(), withSpeaker ? f[2].trim() : LabeledClip.UNKNOWN_SPEAKER));
    }
    if (clips.isEmpty()) {
      throw new CorpusException(csv + " lists no clips");
    }
    return new CsvManifest(clips);
  }

  @Override
  public String name() {
    return "csv";
  }

  @Override
  public List<String> labels() {
    return labels;
  }

  @Override
  public List<LabeledClip> load(Path root) {
    return clips;
  }
}
