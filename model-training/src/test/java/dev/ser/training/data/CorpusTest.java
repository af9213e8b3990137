package dev.ser.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.audio.DecodedAudio;
import dev.ser.core.audio.WavFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {

  @TempDir
  Path root;

  Path wav(String relative) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    WavFile.writePcm16(p, DecodedAudio.mono(16000, new float[160]));
    return p;
  }

  static List<String> described(List<LabeledClip> clips, Path root) {
    return clips.stream().map(c -> root.relativize(c.audio()) + " " + c.label() + " " + c.speaker()).toList();
  }

  @Test
  void emoDb() throws IOException {
    wav("wav/03a01Fa.wav");
    wav("wav/16b10Wb.wav");
    assertThat(described(new EmoDb().load(root), root))
        .containsExactly("wav/03a01Fa.wav happy 03", "wav/16b10Wb.wav angry 16");
    wav("wav/03a01Xa.wav");
    assertThatThrownBy(() -> new EmoDb().load(root)).isInstanceOf(CorpusException.class)
        .hasMessageEndingWith("03a01Xa.wav: emotion code \"X\" is not one of emodb's (W, L, E, A, F, N, T)");
  }

  @Test
  void ravdessSkipsSongAndNamesActors() throws IOException {
    wav("Actor_01/03-01-05-01-02-01-01.wav");
    wav("Actor_12/03-01-02-02-01-02-12.wav");
    wav("Actor_12/03-02-03-01-01-01-12.wav"); // song
    assertThat(described(new Ravdess().load(root), root)).containsExactly(
        "Actor_01/03-01-05-01-02-01-01.wav angry actor01", "Actor_12/03-01-02-02-01-02-12.wav calm actor12");
    wav("Actor_02/03-01-09-01-01-01-02.wav");
    assertThatThrownBy(() -> new Ravdess().load(root)).hasMessageContaining("emotion code \"09\"");
  }

  @Test
  void savee() throws IOException {
    wav("AudioData/DC/a01.wav");
    wav("AudioData/KL/su15.wav");
    wav("AudioData/JE/sa03.wav");
    assertThat(described(new Savee().load(root), root)).containsExactly(
        "AudioData/DC/a01.wav angry DC", "AudioData/JE/sa03.wav sad JE", "AudioData/KL/su15.wav surprise KL");
    wav("AudioData/JK/x01.wav");
    assertThatThrownBy(() -> new Savee().load(root)).hasMessageContaining("emotion code \"x\" is not one of savee's");
  }

  @Test
  void casia() throws IOException {
    wav("liuchanhg/angry/201.wav");
    wav("wangzhe/surprise/250.wav");
    assertThat(described(new Casia().load(root), root)).containsExactly(
        "liuchanhg/angry/201.wav angry liuchanhg", "wangzhe/surprise/250.wav surprise wangzhe");
    wav("wangzhe/bored/251.wav");
    assertThatThrownBy(() -> new Casia().load(root)).hasMessageContaining("\"bored\"");
  }

  @Test
  void emovo() throws IOException {
    wav("f1/rab-f1-b1.wav");
    wav("m3/gio-m3-n5.wav");
    assertThat(described(new Emovo().load(root), root)).containsExactly(
        "f1/rab-f1-b1.wav angry f1", "m3/gio-m3-n5.wav happy m3");
  }

  @Test
  void iemocapMergesExcitedIntoHappyAndLeavesOtherCodesOut() throws IOException {
    wav("Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav");
    wav("Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M001.wav");
    wav("Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M002.wav");
    wav("Session1/dialog/wav/Ses01F_impro01.wav"); // whole dialog, not an utterance
    Path eval = root.resolve("Session1/dialog/EmoEvaluation/Ses01F_impro01.txt");
    Files.createDirectories(eval.getParent());
    Files.writeString(eval, String.join("\n",
        "% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]",
        "[6.2901 - 8.2357]\tSes01F_impro01_F000\texc\t[2.5000, 2.5000, 2.5000]",
        "C-E2:\tNeutral;\t()",
        "[10.01 - 11.36]\tSes01F_impro01_M001\tfru\t[2.0, 3.0, 3.0]",
        "[12.0 - 13.0]\tSes01F_impro01_M002\tsad\t[2.0, 3.0, 3.0]"));
    assertThat(described(new Iemocap().load(root), root)).containsExactly(
        "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav happy Ses01F",
        "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M002.wav sad Ses01M");
    wav("Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M003.wav");
    assertThatThrownBy(() -> new Iemocap().load(root)).hasMessageContaining("no label for Ses01F_impro01_M003");
  }

  @Test
  void folderPerLabel() throws IOException {
    wav("calm/a.wav");
    wav("angry/x/b.wav");
    Corpus corpus = Corpus.named("folders", root);
    assertThat(corpus.labels()).containsExactly("angry", "calm");
    assertThat(described(corpus.load(root), root)).containsExactly("angry/x/b.wav angry unknown", "calm/a.wav calm unknown");
    Files.createDirectories(root.resolve("empty"));
    assertThatThrownBy(() -> Corpus.named("folders", root).load(root))
        .hasMessage("label folder " + root.resolve("empty") + " has no .wav files");
  }

  @Test
  void csvManifest() throws IOException {
    wav("clips/1.wav");
    wav("clips/2.wav");
    Path csv = root.resolve("manifest.csv");
    Files.writeString(csv, "path,label,speaker\nclips/1.wav,neutral,s1\nclips/2.wav,angry,s2\n");
    Corpus corpus = Corpus.named("csv", csv);
    assertThat(corpus.labels()).containsExactly("angry", "neutral");
    assertThat(described(corpus.load(root), root)).containsExactly("clips/1.wav neutral s1", "clips/2.wav angry s2");
    Files.writeString(csv, "path,label\nclips/3.wav,sad\n");
    assertThatThrownBy(() -> Corpus.named("csv", csv)).hasMessageContaining("line 2: ").hasMessageEndingWith("3.wav does not exist");
    Files.writeString(csv, "file,emotion\n");
    assertThatThrownBy(() -> Corpus.named("csv", csv)).hasMessageContaining("first line must be the header");
  }

  @Test
  void emptyOrMissingFoldersAndUnknownCorporaAreExplained() throws IOException {
    Files.createDirectories(root.resolve("wav"));
    assertThatThrownBy(() -> new EmoDb().load(root)).hasMessage("no .wav files under " + root);
    assertThatThrownBy(() -> new EmoDb().load(root.resolve("nope")))
        .hasMessage("corpus folder " + root.resolve("nope") + " does not exist or is not a folder");
    assertThatThrownBy(() -> Corpus.named("tess", root)).hasMessageStartingWith("unknown corpus \"tess\"");
  }

  @Test
  void theRepositorySamplesLoadThreePerEmotion() {
    List<LabeledClip> clips = new EmoDb().load(dev.ser.training.Samples.emodb());
    assertThat(clips).hasSize(21);
    for (String label : new EmoDb().labels()) {
      assertThat(clips).filteredOn(c -> c.label().equals(label)).extracting(LabeledClip::speaker).doesNotHaveDuplicates().hasSize(3);
    }
  }
}
