package dev.ser.cli;

import dev.ser.core.audio.WavFile;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.core.scoring.provider.InferenceDevice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser score}: the emotion of one WAV file, as the stream job would score it. */
@Command(name = "ser score", sortOptions = false,
    description = "Scores a WAV file with an exported model: mixes to mono, resamples to the model's rate,"
        + " computes its features and prints the label and every class's probability.")
public final class ScoreCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE.onnx", description = "a model exported by ser train")
  Path model;

  @Option(names = "--in", required = true, paramLabel = "FILE.wav", description = "the utterance")
  Path in;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda:N",
      description = "ONNX Runtime device; CUDA falls back to the CPU, with a warning, when it cannot load (default: ${DEFAULT-VALUE})")
  String device;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new ScoreCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    InferenceDevice target = InferenceDevice.parse(device);
    try (EmotionScorer scorer = EmotionScorer.open(model, target, 0)) {
      ModelMetadata meta = scorer.metadata();
      EmotionScorer.Prediction p = scorer.predict(WavFile.readMono(in, meta.features().sampleRate()));
      out.printf(Locale.ROOT, "%s: %s (%.3f)  [%s %s]%n", in.getFileName(), p.label(), p.confidence(), meta.name(), meta.version());
      for (int k = 0; k < p.scores().length; k++) {
        out.printf(Locale.ROOT, "  %-10s %.4f%n", meta.labels().get(k), p.scores()[k]);
      }
      out.flush();
    }
    return 0;
  }
}
