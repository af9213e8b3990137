package dev.ser.training.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.training.eval.Calibration;
import dev.ser.training.eval.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code report.json} from the fold records: summary (fractions), pooled and per-fold metrics,
 * calibration, learning curves and the settings.
 *
 * <p>Calibration is cross-fitted: fold k's temperature is fitted on the pooled out-of-fold logits
 * of all other folds. Those clips all belong to fold k's training folds and each was scored by a
 * model that did not train on it, so nothing of fold k's test clips enters its temperature; the
 * final model's temperature is fitted on all folds' out-of-fold logits.
 */
public final class CrossValidationReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CrossValidationReport() {}

  /** The temperature for the model trained on all clips: fitted on every fold's out-of-fold logits. */
  public static double finalTemperature(List<FoldRecord> folds) {
    return Calibration.fitTemperature(logitsExcept(folds, -1), truthExcept(folds, -1));
  }

  public static ObjectNode build(List<FoldRecord> folds, List<String> labels, JsonNode settings, String corpus,
      int clips, double wallSeconds) {
    ObjectNode root = JSON.createObjectNode();
    List<Metrics> metrics = folds.stream().map(r -> Metrics.of(labels, r.truth(), r.predicted())).toList();
    double[] uarMs = Metrics.meanStd(metrics.stream().mapToDouble(Metrics::uar).toArray());
    double[] warMs = Metrics.meanStd(metrics.stream().mapToDouble(Metrics::war).toArray());
    ObjectNode summary = root.putObject("summary");
    summary.put("protocol", settings.at("/protocol").asText());
    summary.put("folds", folds.size());
    summary.put("uar_mean", uarMs[0]);
    summary.put("uar_std", uarMs[1]);
    summary.put("war_mean", warMs[0]);
    summary.put("war_std", warMs[1]);
    JsonNode training = settings.get("training_options");
    boolean averaging = training.get("averageFrom").asDouble() < 1;
    summary.put("model_selection", (averaging ? "the weights averaged over the last epochs (SWA), fixed before training,"
        : "last epoch") + " of every fold; held-out folds are never used to choose epochs, settings or models");
    summary.put("corpus", corpus);
    summary.put("clips", clips);
    summary.put("epochs", training.get("epochs").asInt());
    summary.put("seed", training.get("seed").asLong());
    summary.set("training_options", training); // travels into the model's metadata with the summary
    if (settings.has("distillation")) {
      summary.set("distillation", settings.get("distillation")); // the teachers' runs and seeds, and their weight
    }
    summary.put("wall_seconds", wallSeconds);
    summary.put("fold_seconds_total", folds.stream().mapToDouble(FoldRecord::seconds).sum());
    summary.put("mean_epoch_seconds",
        folds.stream().flatMap(r -> r.curve().stream()).mapToDouble(EpochStats::seconds).average().orElse(0));

    // calibration, cross-fitted (see the class comment)
    List<float[][]> raw = new ArrayList<>();
    List<float[][]> calibrated = new ArrayList<>();
    double[] temperatures = new double[folds.size()];
    for (int f = 0; f < folds.size(); f++) {
      FoldRecord r = folds.get(f);
      raw.add(Calibration.probabilities(r.logits(), 1));
      temperatures[f] = folds.size() < 2 ? 1 : Calibration.fitTemperature(logitsExcept(folds, f), truthExcept(folds, f));
      calibrated.add(Calibration.probabilities(r.logits(), temperatures[f]));
    }
    int[] truth = truthExcept(folds, -1);
    float[][] rawAll = concat(raw);
    float[][] calibratedAll = concat(calibrated);
    ObjectNode calibration = root.putObject("calibration");
    calibration.put("method", "temperature scaling; each fold's temperature fitted on the out-of-fold logits of the"
        + " other folds (all from its training folds), the final model's on all folds' out-of-fold logits");
    calibration.put("ece_before", Calibration.expectedCalibrationError(rawAll, truth));
    calibration.put("ece_after", Calibration.expectedCalibrationError(calibratedAll, truth));
    calibration.put("nll_before", nll(rawAll, truth));
    calibration.put("nll_after", nll(calibratedAll, truth));
    calibration.put("final_temperature", folds.size() < 2 ? 1 : finalTemperature(folds));
    calibration.set("fold_temperatures", JSON.valueToTree(temperatures));
    calibration.set("reliability_before", bins(Calibration.reliability(rawAll, truth)));
    calibration.set("reliability_after", bins(Calibration.reliability(calibratedAll, truth)));
    summary.put("ece_before", calibration.get("ece_before").asDouble());
    summary.put("ece_after", calibration.get("ece_after").asDouble());
    summary.put("temperature", calibration.get("final_temperature").asDouble());

    ArrayNode labelNode = root.putArray("labels");
    labels.forEach(labelNode::add);
    root.set("feature_config", settings.get("feature_config"));
    root.set("model_config", settings.get("model_config"));
    root.set("training_options", training);
    root.set("settings", settings);
    root.set("pooled", metrics(Metrics.pooled(metrics)));
    ArrayNode perFold = root.putArray("per_fold");
    for (int f = 0; f < folds.size(); f++) {
      FoldRecord r = folds.get(f);
      ObjectNode node = metrics(metrics.get(f));
      node.put("fold", r.fold());
      node.put("test_clips", r.test().size());
      node.put("temperature", temperatures[f]);
      node.set("curve", FoldRecord.curveJson(r.curve()));
      perFold.add(node);
    }
    return root;
  }

  private static double nll(float[][] probabilities, int[] truth) {
    double sum = 0;
    for (int i = 0; i < truth.length; i++) {
      sum -= Math.log(Math.max(1e-12, probabilities[i][truth[i]]));
    }
    return sum / truth.length;
  }

  private static ArrayNode bins(double[][] bins) {
    ArrayNode out = JSON.createArrayNode();
    for (int b = 0; b < bins.length; b++) {
      ObjectNode n = out.addObject();
      n.put("from", (double) b / bins.length);
      n.put("to", (double) (b + 1) / bins.length);
      n.put("count", (long) bins[b][0]);
      if (bins[b][0] > 0) {
        n.put("confidence", bins[b][1]);
        n.put("accuracy", bins[b][2]);
      }
    }
    return out;
  }

  private static float[][] logitsExcept(List<FoldRecord> folds, int skip) {
    List<float[][]> parts = new ArrayList<>();
    for (int f = 0; f < folds.size(); f++) {
      if (f != skip) {
        parts.add(folds.get(f).logits());
      }
    }
    return concat(parts);
  }

  private static int[] truthExcept(List<FoldRecord> folds, int skip) {
    return java.util.stream.IntStream.range(0, folds.size()).filter(f -> f != skip)
        .flatMap(f -> java.util.Arrays.stream(folds.get(f).truth())).toArray();
  }

  private static float[][] concat(List<float[][]> parts) {
    return parts.stream().flatMap(java.util.Arrays::stream).toArray(float[][]::new);
  }

  private static ObjectNode metrics(Metrics m) {
    ObjectNode node = JSON.createObjectNode();
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
    node.set("confusion", JSON.valueToTree(m.confusion()));
    return node;
  }

  public static void write(ObjectNode report, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
  }
}
