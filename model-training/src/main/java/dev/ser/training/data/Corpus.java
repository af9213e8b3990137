package dev.ser.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A speech-emotion corpus in its published layout. {@link #load} lists every clip with label and
 * speaker, in a stable order (sorted by path), and fails with a {@link CorpusException} naming the
 * file or folder that does not fit.
 */
public interface Corpus {

  /** Short name, used on the command line: emodb, ravdess, savee, casia, emovo, iemocap, folders, csv. */
  String name();

  /** Class labels in the order the papers use (the model's output order). */
  List<String> labels();

  List<LabeledClip> load(Path root);

  /** The loader for a command-line name. */
  static Corpus named(String name, Path data) {
    Map<String, Function<Path, Corpus>> known = Map.of(
        "emodb", p -> new EmoDb(),
        "ravdess", p -> new Ravdess(),
        "savee", p -> new Savee(),
        "casia", p -> new Casia(),
        "emovo", p -> new Emovo(),
        "iemocap", p -> new Iemocap(),
        "folders", FolderPerLabel::scan,
        "csv", CsvManifest::read);
    Function<Path, Corpus> factory = known.get(name.toLowerCase(Locale.ROOT));
    if (factory == null) {
      throw new CorpusException("unknown corpus \"" + name + "\"; known: emodb, ravdess, savee, casia, emovo,"
          + " iemocap, folders (one folder per label), csv (manifest with path,label,speaker)");
    }
    return factory.apply(data);
  }

  /** Every .wav file under {@code dir} (any depth), sorted; fails if there is none. */
  static List<Path> wavFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CorpusException("corpus folder " + dir + " does not exist or is not a folder");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> wavs = new ArrayList<>(files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav"))
          .sorted(Comparator.comparing(Path::toString)).toList());
      if (wavs.isEmpty()) {
        throw new CorpusException("no .wav files under " + dir);
      }
      return wavs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  static CorpusException unknownLabel(Path file, String code, String corpus, Iterable<String> known) {
    return new CorpusException(file + ": emotion code \"" + code + "\" is not one of " + corpus + "'s ("
        + String.join(", ", known) + ")");
  }
}
