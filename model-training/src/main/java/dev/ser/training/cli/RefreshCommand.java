package dev.ser.training.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.cli.Cli;
import dev.ser.cli.KafkaOptions;
import dev.ser.cli.ModelUpdateOptions;
import dev.ser.cli.ModelUpdatePublisher;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.schemas.ModelUpdate;
import dev.ser.training.refresh.ModelPromotion;
import dev.ser.training.refresh.PromotionSet;
import dev.ser.training.train.TrainingService;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser refresh}: the offline model refresh. Trains a new versioned model next to the current
 * one without the promotion set's clips, scores both models on those clips itself, promotes the new
 * one only if it is not worse by more than the margin, and publishes a {@code ModelUpdate} so the
 * running jobs swap to it without a restart. It needs no Kubernetes rights: only Write on the
 * control topic.
 */
@Command(name = "ser refresh", sortOptions = false,
    description = {"Trains MODELS/versions/VERSION with ser train (the --promotion-set clips left out of its final"
        + " model), scores it and MODELS/current/model.onnx on those clips, promotes it when its UAR there is not worse"
        + " by more than --margin (MODELS/current then points at it), and publishes a ModelUpdate on the control"
        + " topic so running jobs swap to it.",
        "Options after -- go to ser train (for example -- --epochs 35 --folds 10)."})
public final class RefreshCommand implements Callable<Integer> {

  @Option(names = "--corpus", required = true, paramLabel = "NAME", description = "corpus name, as for ser train")
  String corpus;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "the corpus, as for ser train")
  Path data;

  @Option(names = "--promotion-set", required = true, paramLabel = "DIR", description = "labelled clips (named as"
      + " the corpus names them) the candidate never trains on and both models are judged on, e.g. samples/emodb")
  Path promotionSet;

  @Option(names = "--models", required = true, paramLabel = "DIR", description = "the models directory (a shared"
      + " volume, mounted at the same path on the TaskManagers)")
  Path models;

  @Option(names = "--margin", defaultValue = "0.01", paramLabel = "FRACTION",
      description = "how much lower the new UAR may be, as a fraction (default ${DEFAULT-VALUE} = 1 point)")
  double margin;

  @Option(names = "--version", paramLabel = "V", description = "version of the new model (default: UTC time, yyyyMMdd-HHmmss)")
  String version;

  @CommandLine.Mixin
  KafkaOptions kafka;

  @CommandLine.Mixin
  ModelUpdateOptions update;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @CommandLine.Parameters(paramLabel = "TRAIN-OPTIONS", description = "more ser train options, after --")
  List<String> trainOptions = new ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new RefreshCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (trainOptions.contains("--final-exclude") || trainOptions.contains("--out")) {
      throw new IllegalArgumentException("--final-exclude and --out are set by ser refresh (--promotion-set, --models)");
    }
    PromotionSet judged = PromotionSet.load(corpus, promotionSet);
    String v = version != null ? version
        : DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    Path versionDir = models.resolve("versions").resolve(v);
    Path partial = ModelPromotion.partialDir(models, v);
    if (Files.exists(versionDir) || Files.exists(partial)) {
      throw new IllegalArgumentException("version " + v + " exists already: " + (Files.exists(versionDir) ? versionDir
          : partial));
    }
    List<String> train = new ArrayList<>(List.of("--corpus", corpus, "--data", data.toString(), "--model-version", v,
        "--final-exclude", promotionSet.toString(), "--out", partial.toString()));
    train.addAll(trainOptions);
    out.println("ser refresh: training version " + v + " (ser train " + String.join(" ", train) + ")");
    out.flush();
    TrainCommand options = new TrainCommand();
    new CommandLine(options).parseArgs(train.toArray(String[]::new));
    TrainingService.Result result;
    try {
      result = TrainingService.run(options.request(), System.err);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("training version " + v + " failed (" + e.getMessage() + "); nothing promoted", e);
    }
    if (result.onnx() == null) {
      throw new IllegalStateException("training version " + v + " wrote no ONNX model into " + partial
          + (result.complete() ? " (was --skip-final given?)" : " (cross-validation not finished)") + "; nothing promoted");
    }
    Files.move(result.onnx(), partial.resolve("model.onnx"));
    ModelChecksum.writeSidecar(partial.resolve("model.onnx"));
    Path model = ModelPromotion.complete(models, v).resolve("model.onnx");

    Path current = models.resolve(ModelPromotion.CURRENT_MODEL);
    PromotionSet.Score candidateScore = judged.score(model);
    PromotionSet.Score currentScore = Files.exists(current) ? judged.score(current) : null;
    out.println("ser refresh: on the promotion set (" + judged.clips().size() + " clips in " + promotionSet + "): "
        + describe("candidate " + v, candidateScore) + (currentScore == null ? "; no current model"
        : "; " + describe("current " + currentLabel(), currentScore)));
    if (currentScore != null && currentScore.sawSet()) {
      out.println("ser refresh: the current model's metadata does not list the promotion set as left out of its"
          + " training: its score may be optimistic (this favours keeping it)");
    }
    ModelPromotion.Decision d = ModelPromotion.decide(currentScore == null ? Double.NaN : currentScore.uar(),
        candidateScore.uar(), margin);
    if (!d.promote()) {
      out.println("ser refresh: version " + v + " NOT promoted: " + d.reason() + "; it stays in " + versionDir);
      out.flush();
      return 0;
    }
    ModelPromotion.promote(models, v);
    out.println("ser refresh: version " + v + " promoted (" + d.reason() + "); " + models.resolve("current")
        + " -> versions/" + v);
    if (!kafka.given()) {
      out.println("ser refresh: not published (no --bootstrap-servers or --config): jobs load it when they restart");
    } else {
      ModelUpdate u = ModelUpdatePublisher.update(model.toAbsolutePath().normalize(), null, update.band,
          "ser refresh", update.signingKey);
      var written = ModelUpdatePublisher.publish(kafka.clientProperties(), update.topic, u);
      out.println("ser refresh: published " + new ObjectMapper().writeValueAsString(
          ModelUpdatePublisher.describe(written, u)));
    }
    out.flush();
    return 0;
  }

  private String currentLabel() throws IOException {
    String v = ModelPromotion.currentVersion(models);
    return v == null ? "model" : v;
  }

  private static String describe(String who, PromotionSet.Score s) {
    return String.format(Locale.ROOT, "%s UAR %.2f %% (%d of %d right)", who, 100 * s.uar(), s.correct(), s.clips());
  }
}
