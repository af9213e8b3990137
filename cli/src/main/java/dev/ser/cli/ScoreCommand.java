package dev.ser.cli;

import dev.ser.core.audio.WavFile;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.core.scoring.ModelRouter;
import dev.ser.core.scoring.provider.InferenceDevice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Option(names = "--model", required = true, split = ",", paramLabel = "FILE.onnx",
      description = "a model exported by ser train, or several (comma-separated, e.g. a narrowband and a wideband one):"
          + " the file's sample rate chooses, as ModelRouter says")
  List<Path> models;

  @Option(names = "--between", defaultValue = "higher", paramLabel = "lower|higher",
      description = "with several models, a file whose rate lies between two models' rates goes to the lower or the"
          + " higher of them (default: ${DEFAULT-VALUE})")
  String between;

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
    Path model = models.get(0);
    if (models.size() > 1) {
      List<ModelRouter.Candidate> candidates = new ArrayList<>();
      for (Path m : models) {
        try (EmotionScorer s = EmotionScorer.open(m)) {
          candidates.add(new ModelRouter.Candidate(s.metadata().name() + " " + s.metadata().version(),
              s.metadata().features().sampleRate()));
        }
      }
      int rate = WavFile.read(in).sampleRate();
      ModelRouter.Route route = new ModelRouter(candidates, ModelRouter.Between.parse(between)).route(rate);
      if (!route.routed()) {
        throw new IllegalArgumentException(in + ": " + route.refusal());
      }
      model = models.get(route.model());
      out.printf(Locale.ROOT, "%s is %d Hz: scored by %s%n", in.getFileName(), rate, candidates.get(route.model()).name());
    }
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
