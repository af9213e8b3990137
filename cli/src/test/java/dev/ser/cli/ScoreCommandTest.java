package dev.ser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.audio.DecodedAudio;
import dev.ser.core.audio.WavFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ser score} with a narrowband and a wideband model: the file's sample rate chooses. */
class ScoreCommandTest {

  static final Path REPO = Path.of(System.getProperty("ser.samples.dir")).getParent();
  static final Path WIDE = REPO.resolve("models/ms-senet-emodb.onnx");
  static final Path NARROW = REPO.resolve("stream-job/src/test/resources/models/narrowband.onnx");
  static final Path CLIP = REPO.resolve("samples/emodb/03a01Fa.wav");

  @TempDir
  Path dir;

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cli = Cli.commandLine(new ScoreCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  Path at(int rate) throws Exception {
    Path wav = dir.resolve("clip-" + rate + ".wav");
    WavFile.writePcm16(wav, new DecodedAudio(rate, new float[][] {WavFile.readMono(CLIP, rate)}));
    return wav;
  }

  @Test
  void eachFileGoesToTheModelOfItsBand() throws Exception {
    String both = NARROW + "," + WIDE;
    assertThat(run("--model", both, "--in", at(8000).toString())).isZero();
    assertThat(out.toString()).startsWith("clip-8000.wav is 8000 Hz: scored by ms-senet-emodb fixture-8k\n")
        .contains("[ms-senet-emodb fixture-8k]");
    assertThat(run("--model", both, "--in", CLIP.toString())).isZero();
    assertThat(out.toString()).contains("03a01Fa.wav is 22050 Hz: scored by ms-senet-emodb 4\n")
        .contains("[ms-senet-emodb 4]");
    assertThat(run("--model", both, "--in", at(16000).toString())).isZero();
    assertThat(out.toString()).contains("clip-16000.wav is 16000 Hz: scored by ms-senet-emodb 4\n");
    assertThat(run("--model", both, "--between", "lower", "--in", at(16000).toString())).isZero();
    assertThat(out.toString()).contains("clip-16000.wav is 16000 Hz: scored by ms-senet-emodb fixture-8k\n");
  }

  @Test
  void aFileBelowEveryModelsRateIsRefusedAndOneModelScoresAnything() throws Exception {
    Path low = at(6000);
    assertThat(run("--model", NARROW + "," + WIDE, "--in", low.toString())).isEqualTo(1);
    assertThat(err.toString()).contains(low + ": no model for a 6000 Hz stream: the lowest model rate is 8000 Hz"
        + " (ms-senet-emodb fixture-8k)");
    assertThat(run("--model", WIDE.toString(), "--in", low.toString())).isZero();
    assertThat(out.toString()).startsWith("clip-6000.wav: ").contains("[ms-senet-emodb 4]").doesNotContain("scored by");
  }
}
