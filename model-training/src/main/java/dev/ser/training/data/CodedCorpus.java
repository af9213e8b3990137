package dev.ser.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The corpora whose file names carry an emotion code: one table from code to label, one rule for
 * where code and speaker stand in the path.
 */
abstract class CodedCorpus implements Corpus {

  private final Map<String, String> labelByCode;

  CodedCorpus(Map<String, String> labelByCode) {
    this.labelByCode = labelByCode;
  }

  /** The emotion code of a file, or null to skip it. */
  abstract String code(Path root, Path wav);

  abstract String speaker(Path root, Path wav);

  @Override
  public List<LabeledClip> load(Path root) {
    List<LabeledClip> clips = new ArrayList<>();
    for (Path wav : Corpus.wavFiles(root)) {
      String code = code(root, wav);
      if (code == null) {
        continue;
      }
      String label = labelByCode.get(code);
      if (label == null) {
        throw Corpus.unknownLabel(wav, code, name(), labelByCode.keySet());
      }
      clips.add(new LabeledClip(wav, label, speaker(root, wav)));
    }
    return clips;
  }

  /** The name of the folder {@code depth} levels below root on the way to {@code wav} (0 = first). */
  static String folder(Path root, Path wav, int depth) {
    Path relative = root.relativize(wav);
    if (relative.getNameCount() <= depth + 1) {
      throw new CorpusException(wav + ": expected at least " + (depth + 1) + " folder level(s) below " + root);
    }
    return relative.getName(depth).toString();
  }
}
