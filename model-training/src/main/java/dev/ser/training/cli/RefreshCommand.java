package dev.ser.training.cli;

import dev.ser.cli.Cli;
import dev.ser.training.refresh.FlinkDeploymentRestarter;
import dev.ser.training.refresh.ModelPromotion;
import dev.ser.training.train.TrainingService;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
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
 * one, promotes it only if its cross-validated UAR is not worse than the current model's by more
 * than the margin, and then has the running job pick it up (a FlinkDeployment restart with a
 * savepoint), so a refresh needs no manual step.
 */
@Command(name = "ser refresh", sortOptions = false,
    description = {"Trains MODELS/versions/VERSION with ser train, compares its cross-validated UAR with"
        + " MODELS/current/model.onnx, promotes it when it is not worse by more than --margin, and restarts the"
        + " FlinkDeployment (savepoint upgrade) so the job loads it.",
        "Options after -- go to ser train (for example -- --epochs 35 --folds 10)."})
public final class RefreshCommand implements Callable<Integer> {

  @Option(names = "--corpus", required = true, paramLabel = "NAME", description = "corpus name, as for ser train")
  String corpus;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "the corpus, as for ser train")
  Path data;

  @Option(names = "--models", required = true, paramLabel = "DIR", description = "the models directory (a shared volume)")
  Path models;

  @Option(names = "--margin", defaultValue = "0.01", paramLabel = "FRACTION",
      description = "how much lower the new UAR may be, as a fraction (default ${DEFAULT-VALUE} = 1 point)")
  double margin;

  @Option(names = "--version", paramLabel = "V", description = "version of the new model (default: UTC time, yyyyMMdd-HHmmss)")
  String version;

  @Option(names = "--flink-deployment", paramLabel = "NAME", description = "restart this FlinkDeployment after a promotion")
  String flinkDeployment;

  @Option(names = "--namespace", paramLabel = "NS", description = "its namespace (default: the pod's)")
  String namespace;

  @Option(names = "--kubernetes-api", paramLabel = "URL", description = "API server (default: in-cluster)")
  URI kubernetesApi;

  @Option(names = "--kubernetes-token-file", paramLabel = "FILE", description = "bearer token (default: in-cluster)")
  Path tokenFile;

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
    String v = version != null ? version
        : DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    Path versionDir = models.resolve("versions").resolve(v);
    if (Files.exists(versionDir)) {
      throw new IllegalArgumentException("version " + v + " exists already: " + versionDir);
    }
    List<String> train = new ArrayList<>(List.of("--corpus", corpus, "--data", data.toString(), "--model-version", v,
        "--out", versionDir.toString()));
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
      throw new IllegalStateException("training version " + v + " wrote no ONNX model into " + versionDir
          + (result.complete() ? " (was --skip-final given?)" : " (cross-validation not finished)") + "; nothing promoted");
    }
    Path candidate = result.onnx();
    Path model = versionDir.resolve("model.onnx");
    Files.move(candidate, model);
    dev.ser.core.scoring.ModelChecksum.writeSidecar(model);

    ModelPromotion.Decision d = ModelPromotion.decide(ModelPromotion.uarOf(models.resolve(ModelPromotion.CURRENT_MODEL)),
        ModelPromotion.uarOf(model), margin);
    if (!d.promote()) {
      out.println("ser refresh: version " + v + " NOT promoted: " + d.reason() + "; it stays in " + versionDir);
      out.flush();
      return 0;
    }
    ModelPromotion.promote(model, models, v);
    out.println("ser refresh: version " + v + " promoted (" + d.reason() + ")");
    if (flinkDeployment != null) {
      FlinkDeploymentRestarter restarter = kubernetesApi == null ? FlinkDeploymentRestarter.inCluster()
          : new FlinkDeploymentRestarter(kubernetesApi, tokenFile == null ? "" : Files.readString(tokenFile).trim(),
              HttpClient.newHttpClient());
      String ns = namespace != null ? namespace : podNamespace();
      long nonce = Instant.now().getEpochSecond();
      restarter.restart(ns, flinkDeployment, nonce);
      out.printf(Locale.ROOT, "ser refresh: FlinkDeployment %s/%s restartNonce=%d (savepoint upgrade to load it)%n", ns,
          flinkDeployment, nonce);
    }
    out.flush();
    return 0;
  }

  private static String podNamespace() throws Exception {
    Path file = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("--namespace is needed outside a Kubernetes pod");
    }
    return Files.readString(file).trim();
  }
}
