package dev.ser.training.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns {@code report.json} into {@code report.md}, {@code confusion.png} and
 * {@code learning-curves.png} beside it. Published numbers are shown next to ours for EmoDB.
 */
public final class ReportRenderer {

  private ReportRenderer() {}

  public static void render(Path reportJson) throws IOException {
    System.setProperty("java.awt.headless", "true");
    JsonNode r = new ObjectMapper().readTree(reportJson.toFile());
    Path dir = reportJson.toAbsolutePath().getParent();
    List<String> labels = new ArrayList<>();
    r.get("labels").forEach(l -> labels.add(l.asText()));
    confusionChart(r, labels, dir.resolve("confusion.png"));
    learningCurves(r, dir.resolve("learning-curves.png"));
    if (r.has("calibration")) {
      reliabilityDiagram(r.get("calibration"), dir.resolve("reliability.png"));
    }
    Files.writeString(dir.resolve("report.md"), markdown(r, labels));
  }

  static String markdown(JsonNode r, List<String> labels) {
    JsonNode s = r.get("summary");
    StringBuilder md = new StringBuilder();
    String protocol = s.get("protocol").asText();
    md.append("# MS-SENet on ").append(s.get("corpus").asText()).append(": cross-validation report\n\n");
    md.append(String.format(Locale.ROOT, "%s, %d folds, %d clips, %d epochs per model, seed %d. Model selection: %s.%n%n",
        switch (protocol) {
          case "kfold" -> "Stratified k-fold";
          case "tune" -> "Tuning protocol (each split scored on a validation fold carved from its training folds)";
          default -> "Leave-one-speaker-out";
        }, s.get("folds").asInt(),
        s.get("clips").asInt(), s.get("epochs").asInt(), s.get("seed").asLong(), s.get("model_selection").asText()));
    md.append("| | UAR % | WAR % | source |\n|---|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| **this run** (%s) | **%.2f ± %.2f** | **%.2f ± %.2f** | `report.json` |%n",
        protocol, 100 * s.get("uar_mean").asDouble(), 100 * s.get("uar_std").asDouble(),
        100 * s.get("war_mean").asDouble(), 100 * s.get("war_std").asDouble()));
    if (s.get("corpus").asText().equals("emodb")) {
      md.append("| MS-SENet, 10-fold | 96.83 | 96.40 | the paper's Table 1 |\n");
      md.append("| TIM-Net, 10-fold, as first published (best epoch picked on the test fold) | 95.17 | 95.70 | TIM-Net repository |\n");
      md.append("| TIM-Net, 10-fold, after its authors fixed test-fold model selection | 89.19 | 90.28 | TIM-Net repository |\n");
      md.append("| SVM baselines, leave-one-speaker-out | about 73-77 | | Gjoreski et al. |\n");
    }
    md.append("\nMeans and sample standard deviations over folds. The published figures used full-length audio and")
        .append(" their own folds and seeds, so they are a reference, not the same experiment.\n\n");

    md.append("## Per fold\n\n| fold | test clips | UAR % | WAR % |\n|---|---|---|---|\n");
    for (JsonNode f : r.get("per_fold")) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f |%n", f.get("fold").asInt(), f.get("test_clips").asInt(),
          100 * f.get("uar").asDouble(), 100 * f.get("war").asDouble()));
    }
    JsonNode pooled = r.get("pooled");
    md.append(String.format(Locale.ROOT, "%nAll test predictions pooled: UAR %.2f %%, WAR %.2f %%.%n%n",
        100 * pooled.get("uar").asDouble(), 100 * pooled.get("war").asDouble()));

    md.append("## Per class (pooled)\n\n| true \\ predicted | ").append(String.join(" | ", labels)).append(" | recall % |\n|---|");
    md.append("---|".repeat(labels.size() + 1)).append('\n');
    for (int i = 0; i < labels.size(); i++) {
      md.append("| ").append(labels.get(i)).append(" | ");
      for (JsonNode c : pooled.get("confusion").get(i)) {
        md.append(c.asLong()).append(" | ");
      }
      JsonNode recall = pooled.get("recall").get(i);
      md.append(recall.isNull() ? "-" : String.format(Locale.ROOT, "%.1f", 100 * recall.asDouble())).append(" |\n");
    }
    md.append("\n![confusion matrix](confusion.png)\n\n## Learning curves\n\n")
        .append("Mean over folds. The held-out accuracy (measured every few epochs, with batch-norm statistics")
        .append(" recomputed on the training data) is drawn for information only; it chose nothing.\n\n")
        .append("![learning curves](learning-curves.png)\n\n");
    if (r.has("calibration")) {
      JsonNode c = r.get("calibration");
      md.append("## Calibration\n\n").append(c.get("method").asText()).append(".\n\n");
      md.append(String.format(Locale.ROOT, "| | ECE | NLL |%n|---|---|---|%n| raw probabilities | %.3f | %.3f |%n"
          + "| temperature-scaled | %.3f | %.3f |%n%nTemperature of the final model: %.3f (folds: %s).%n%n"
          + "![reliability diagram](reliability.png)%n%n", c.get("ece_before").asDouble(), c.get("nll_before").asDouble(),
          c.get("ece_after").asDouble(), c.get("nll_after").asDouble(), c.get("final_temperature").asDouble(),
          temperatures(c.get("fold_temperatures"))));
    }
    md.append("## Cost\n\n");
    md.append(String.format(Locale.ROOT, "Mean %.1f s per epoch; %.1f min wall time for the whole run",
        s.get("mean_epoch_seconds").asDouble(), s.get("wall_seconds").asDouble() / 60));
    if (s.has("onnx_parity_max_abs_diff")) {
      md.append(String.format(Locale.ROOT, "; ONNX Runtime vs DJL on the exported model: max |diff| %.1e",
          s.get("onnx_parity_max_abs_diff").asDouble()));
    }
    md.append(".\n\n## Settings\n\n```json\n").append(r.get("feature_config").toPrettyString()).append('\n')
        .append(r.get("model_config").toPrettyString()).append('\n').append(r.get("training_options").toPrettyString())
        .append("\n```\n");
    return md.toString();
  }

  private static String temperatures(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(t -> out.add(String.format(Locale.ROOT, "%.2f", t.asDouble())));
    return String.join(", ", out);
  }

  private static void reliabilityDiagram(JsonNode calibration, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(560).height(520).title("Reliability (pooled test predictions)")
        .xAxisTitle("confidence (top probability)").yAxisTitle("accuracy").build();
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE);
    for (String which : new String[] {"before", "after"}) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (JsonNode bin : calibration.get("reliability_" + which)) {
        if (bin.get("count").asLong() > 0) {
          x.add(bin.get("confidence").asDouble());
          y.add(bin.get("accuracy").asDouble());
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(which.equals("before") ? String.format(Locale.ROOT, "raw (ECE %.3f)", calibration.get("ece_before").asDouble())
            : String.format(Locale.ROOT, "temperature-scaled (ECE %.3f)", calibration.get("ece_after").asDouble()), x, y);
      }
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void confusionChart(JsonNode r, List<String> labels, Path png) throws IOException {
    JsonNode confusion = r.at("/pooled/confusion");
    int k = labels.size();
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      long support = 0;
      for (JsonNode c : confusion.get(i)) {
        support += c.asLong();
      }
      for (int j = 0; j < k; j++) {
        double share = support == 0 ? 0 : 100.0 * confusion.get(i).get(j).asLong() / support;
        cells.add(new Number[] {j, k - 1 - i, Math.round(share)});
      }
    }
    List<String> reversed = new ArrayList<>(labels);
    java.util.Collections.reverse(reversed);
    HeatMapChart chart = new HeatMapChartBuilder().width(640).height(560)
        .title("Confusion matrix, % of each true class").xAxisTitle("predicted").yAxisTitle("true").build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setMin(0);
    chart.getStyler().setMax(100);
    chart.addSeries("recall", labels, reversed, cells);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void learningCurves(JsonNode r, Path png) throws IOException {
    int epochs = r.at("/summary/epochs").asInt();
    double[] x = new double[epochs];
    double[] loss = new double[epochs];
    double[] train = new double[epochs];
    double[] heldOutSum = new double[epochs];
    int[] heldOutCount = new int[epochs];
    int folds = r.get("per_fold").size();
    for (JsonNode f : r.get("per_fold")) {
      for (JsonNode e : f.get("curve")) {
        int i = e.get("epoch").asInt() - 1;
        x[i] = i + 1;
        loss[i] += e.get("loss").asDouble() / folds;
        train[i] += e.get("train_accuracy").asDouble() / folds;
        JsonNode h = e.get("held_out_accuracy");
        if (h != null && h.isNumber()) {
          heldOutSum[i] += h.asDouble();
          heldOutCount[i]++;
        }
      }
    }
    List<Double> heldOutX = new ArrayList<>();
    List<Double> heldOut = new ArrayList<>();
    for (int i = 0; i < epochs; i++) {
      if (heldOutCount[i] > 0) {
        heldOutX.add((double) i + 1);
        heldOut.add(heldOutSum[i] / heldOutCount[i]);
      }
    }
    XYChart chart = new XYChartBuilder().width(720).height(420).title("Learning curves (mean over folds)")
        .xAxisTitle("epoch").yAxisTitle("loss / accuracy").build();
    chart.addSeries("training loss", x, loss).setMarker(SeriesMarkers.NONE);
    chart.addSeries("training accuracy", x, train).setMarker(SeriesMarkers.NONE);
    if (!heldOut.isEmpty()) {
      chart.addSeries("held-out accuracy (not used for selection)", heldOutX, heldOut);
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
