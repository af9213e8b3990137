package dev.ser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.audio.DecodedAudio;
import dev.ser.core.audio.WavFile;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.features.ReferenceVectors;
import dev.ser.core.io.Float32File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MfccCommandTest {

  @TempDir
  Path dir;

  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cli = Cli.commandLine(new MfccCommand());
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  @Test
  void writesTheReferenceFormatForAWav() throws Exception {
    Path root = ReferenceVectors.bundled();
    Path out = dir.resolve("03a01Fa.f32");
    int code = run("--preset", "timnet-emodb", "--in", root.resolve("data/emodb/wav/03a01Fa.wav").toString(),
        "--out", out.toString());
    assertThat(code).isZero();
    assertThat(Files.size(out)).isEqualTo(188L * 39 * 4);
    MfccMatrix expected = MfccMatrix.readF32(root.resolve("reference/librosa-mfcc/timnet-emodb/03a01Fa.f32"), 39);
    assertThat(ReferenceVectors.maxAbsDiff(MfccMatrix.readF32(out, 39), expected)).isLessThan(1e-3);
    assertThat(err.toString()).contains("03a01Fa.wav: 2.00 s at 22050 Hz -> 188 frames x 39 coefficients at 22050 Hz");
  }

  @Test
  void readsRawFloatWithItsSampleRateAndAConfigFile() throws Exception {
    Path root = ReferenceVectors.bundled();
    Path config = dir.resolve("tel.json");
    Files.writeString(config, FeatureConfig.preset("telephony-8k").toJson());
    Path out = dir.resolve("out.f32");
    Path input = root.resolve("reference/librosa-mfcc/telephony-8k/03a01Fa.input.f32");
    assertThat(run("--config", config.toString(), "--in", input.toString(), "--sample-rate", "8000",
        "--out", out.toString())).isZero();
    MfccMatrix expected = MfccMatrix.readF32(root.resolve("reference/librosa-mfcc/telephony-8k/03a01Fa.f32"), 39);
    assertThat(ReferenceVectors.maxAbsDiff(MfccMatrix.readF32(out, 39), expected)).isLessThan(1e-3);
  }

  @Test
  void resamplesAndPicksTheChannelOfAStereoCall() throws Exception {
    float[] quiet = new float[16000];
    float[] tone = new float[16000];
    for (int i = 0; i < tone.length; i++) {
      tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 500 * i / 16000.0));
    }
    Path wav = dir.resolve("call.wav");
    WavFile.writePcm16(wav, new DecodedAudio(16000, new float[][] {quiet, tone}));
    Path out = dir.resolve("call.f32");

    assertThat(run("--preset", "telephony-8k", "--in", wav.toString(), "--out", out.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("call.wav has 2 channels; choose one with --channel 0..1");

    assertThat(run("--preset", "telephony-8k", "--in", wav.toString(), "--channel", "1", "--out", out.toString())).isZero();
    float[] values = Float32File.read(out);
    assertThat(values).hasSize(81 * 39); // 1 s at 8 kHz, hop 100
    assertThat(err.toString()).contains("call.wav: 1.00 s at 16000 Hz, channel 1 -> 81 frames x 39 coefficients at 8000 Hz");
  }

  @Test
  void usageAndDataErrorsAreExplained() throws Exception {
    assertThat(run("--in", "x.wav", "--out", "y.f32")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required argument").contains("--preset");

    assertThat(run("--preset", "nope", "--in", "x.wav", "--out", "y.f32")).isEqualTo(1);
    assertThat(err.toString()).contains("ser mfcc: unknown feature preset \"nope\"");

    assertThat(run("--preset", "paper-16k", "--in", dir.resolve("missing.wav").toString(), "--out", "y.f32")).isEqualTo(1);
    assertThat(err.toString()).contains("ser mfcc: no such file: ").contains("missing.wav");

    Path junk = dir.resolve("junk.wav");
    Files.write(junk, new byte[100]);
    assertThat(run("--preset", "paper-16k", "--in", junk.toString(), "--out", "y.f32")).isEqualTo(1);
    assertThat(err.toString()).contains("junk.wav: not a WAV file");
  }
}
