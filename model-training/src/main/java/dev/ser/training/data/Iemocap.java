package dev.ser.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * IEMOCAP, four-class setup: {@code SessionN/sentences/wav/DIALOG/UTTERANCE.wav}, labels from
 * {@code SessionN/dialog/EmoEvaluation/DIALOG.txt} (lines {@code [start - end] UTTERANCE code [v, a, d]}).
 * Excited is merged into happy; the other codes (frustrated, surprised, ...) are left out.
 * Speaker: session plus the speaker's letter in the utterance id (Ses01F_impro01_M003: Ses01M).
 */
public final class Iemocap implements Corpus {

  private static final Pattern LINE = Pattern.compile("^\\[[^]]*]\\s+(Ses\\S+)\\s+(\\w+)\\s+\\[.*$");
  private static final Map<String, String> FOUR_CLASS = Map.of("ang", "angry", "hap", "happy", "exc", "happy",
      "neu", "neutral", "sad", "sad");
  private static final Set<String> OTHER_CODES = Set.of("fru", "sur", "fea", "dis", "oth", "xxx");

  @Override
  public String name() {
    return "iemocap";
  }

  @Override
  public List<String> labels() {
    return List.of("angry", "happy", "neutral", "sad");
  }

  @Override
  public List<LabeledClip> load(Path root) {
    Map<String, String> codes = evaluations(root);
    List<LabeledClip> clips = new ArrayList<>();
    for (Path wav : Corpus.wavFiles(root)) {
      if (!wav.toString().contains("/sentences/wav/")) {
        continue; // dialog-level recordings
      }
      String id = Corpus.stem(wav);
      String code = codes.get(id);
      if (code == null) {
        throw new CorpusException(wav + ": no label for " + id + " in any dialog/EmoEvaluation/*.txt");
      }
      String label = FOUR_CLASS.get(code);
      if (label == null) {
        if (!OTHER_CODES.contains(code)) {
          throw Corpus.unknownLabel(wav, code, name(), List.of("ang, hap, exc, neu, sad, fru, sur, fea, dis, oth, xxx"));
        }
        continue;
      }
      String utterance = id.substring(id.lastIndexOf('_') + 1);
      clips.add(new LabeledClip(wav, label, id.substring(0, 5) + utterance.charAt(0)));
    }
    return clips;
  }

  private static Map<String, String> evaluations(Path root) {
    Map<String, String> codes = new HashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> txt = files.filter(p -> p.getParent() != null && p.getParent().endsWith(Path.of("dialog", "EmoEvaluation"))
          && p.getFileName().toString().endsWith(".txt")).toList();
      if (txt.isEmpty()) {
        throw new CorpusException("no SessionN/dialog/EmoEvaluation/*.txt label files under " + root);
      }
      for (Path f : txt) {
        for (String line : Files.readAllLines(f)) {
          Matcher m = LINE.matcher(line);
          if (m.matches()) {
            codes.put(m.group(1), m.group(2));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return codes;
  }
}
