package dev.ser.training.train;

import ai.djl.Model;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.eval.Folds;
import dev.ser.training.eval.Metrics;
import dev.ser.training.model.ModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation protocol: k-fold (stratified, fixed seed) or leave-one-speaker-out; per fold a
 * fresh model is trained on the other folds and its <b>last epoch</b> is scored on the held-out
 * fold (no epoch or model is ever selected on test data). Writes {@code report.json} with every
 * number; {@link ReportRenderer} turns it into {@code report.md} and charts.
 */
public final class CrossValidation {

  public enum Protocol { KFOLD, LOSO }

  /** Per-fold outcome. */
  public record FoldResult(int fold, List<Integer> test, Metrics metrics, List<EpochStats> curve) {}

  private CrossValidation() {}

  public static List<FoldResult> run(FeatureSet data, ModelConfig modelConfig, TrainingOptions options, Protocol protocol,
      int k, PrintStream log) {
    List<List<Integer>> folds = protocol == Protocol.KFOLD
        ? Folds.stratifiedKFold(data.clips().stream().map(c -> c.label()).toList(), k, options.seed())
        : Folds.leaveOneSpeakerOut(data.clips().stream().map(c -> c.speaker()).toList());
    Progress progress = new Progress(log, (long) folds.size() * options.epochs());
    List<FoldResult> results = new ArrayList<>();
    for (int f = 0; f < folds.size(); f++) {
      List<Integer> test = folds.get(f);
      List<Integer> train = Folds.complement(test, data.size());
      int foldNumber = f + 1;
      try (Model model = MsSenetTrainer.newModel(modelConfig)) {
        List<EpochStats> curve = MsSenetTrainer.train(model, modelConfig, options, rows(data.x(), train),
            labels(data.y(), train), rows(data.x(), test), labels(data.y(), test),
            s -> progress.advance(1, String.format(Locale.ROOT, "fold %d/%d epoch %d/%d loss %.3f acc %.3f",
                foldNumber, folds.size(), s.epoch(), options.epochs(), s.loss(), s.trainAccuracy())));
        int[] predicted = MsSenetTrainer.predict(model, modelConfig, rows(data.x(), test));
        Metrics m = Metrics.of(data.labels(), labels(data.y(), test), predicted);
        results.add(new FoldResult(foldNumber, test, m, curve));
        log.printf(Locale.ROOT, "fold %d/%d: %d test clips, UAR %.2f %%, WAR %.2f %%%n", foldNumber, folds.size(),
            test.size(), 100 * m.uar(), 100 * m.war());
      }
    }
    return results;
  }

  /** {@code report.json}: summary (fractions), pooled and per-fold metrics, learning curves, settings. */
  public static ObjectNode report(List<FoldResult> folds, FeatureSet data, ModelConfig modelConfig, TrainingOptions options,
      Protocol protocol, String corpus, double wallSeconds) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    double[] uar = folds.stream().mapToDouble(r -> r.metrics().uar()).toArray();
    double[] war = folds.stream().mapToDouble(r -> r.metrics().war()).toArray();
    double[] uarMs = Metrics.meanStd(uar);
    double[] warMs = Metrics.meanStd(war);
    ObjectNode summary = root.putObject("summary");
    summary.put("protocol", protocol == Protocol.KFOLD ? "kfold" : "loso");
    summary.put("folds", folds.size());
    summary.put("uar_mean", uarMs[0]);
    summary.put("uar_std", uarMs[1]);
    summary.put("war_mean", warMs[0]);
    summary.put("war_std", warMs[1]);
    summary.put("model_selection", "last epoch of every fold; held-out folds are never used to choose epochs or models");
    summary.put("corpus", corpus);
    summary.put("clips", data.size());
    summary.put("epochs", options.epochs());
    summary.put("seed", options.seed());
    summary.put("wall_seconds", wallSeconds);
    double epochSeconds = folds.stream().flatMap(r -> r.curve().stream()).mapToDouble(EpochStats::seconds).average().orElse(0);
    summary.put("mean_epoch_seconds", epochSeconds);
    ArrayNode labels = root.putArray("labels");
    data.labels().forEach(labels::add);
    root.set("feature_config", readTree(json, data.config().toJson()));
    root.set("model_config", json.valueToTree(modelConfig));
    root.set("training_options", json.valueToTree(options));
    root.set("pooled", metrics(json, Metrics.pooled(folds.stream().map(FoldResult::metrics).toList())));
    ArrayNode perFold = root.putArray("per_fold");
    for (FoldResult r : folds) {
      ObjectNode f = metrics(json, r.metrics());
      f.put("fold", r.fold());
      f.put("test_clips", r.test().size());
      ArrayNode curve = f.putArray("curve");
      for (EpochStats s : r.curve()) {
        curve.addObject().put("epoch", s.epoch()).put("loss", s.loss()).put("train_accuracy", s.trainAccuracy())
            .put("held_out_accuracy", s.heldOutAccuracy()).put("seconds", s.seconds());
      }
      perFold.add(f);
    }
    return root;
  }

  private static ObjectNode metrics(ObjectMapper json, Metrics m) {
    ObjectNode node = json.createObjectNode();
    node.put("uar", m.uar());
    node.put("war", m.war());
    ArrayNode recall = node.putArray("recall");
    for (double r : m.recall()) {
      if (Double.isNaN(r)) {
        recall.addNull();
      } else {
        recall.add(r);
      }
    }
    node.set("confusion", json.valueToTree(m.confusion()));
    return node;
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(ObjectMapper json, String s) {
    try {
      return json.readTree(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void write(ObjectNode report, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
  }

  static float[][] rows(float[][] x, List<Integer> idx) {
    float[][] out = new float[idx.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = x[idx.get(i)];
    }
    return out;
  }

  static int[] labels(int[] y, List<Integer> idx) {
    return idx.stream().mapToInt(i -> y[i]).toArray();
  }
}
