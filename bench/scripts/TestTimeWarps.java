/*
 * Test-time augmentation over vocal tract length warps, scored from kept fold models: what averaging
 * a model's probabilities over the clip and its warped versions (the same warps VTLP trains on)
 * would have scored on each test fold. Inference only, no training.
 *
 *   cp=model-training/target/classes:$(cat model-training/target/ser-classpath.txt)   # after bin/ser train --help
 *   java -cp "$cp" bench/scripts/TestTimeWarps.java CORPUS_DIR FEATURES_JSON MAX_WARP RUN...
 *
 * Each RUN is the --out folder of a `ser train --save-fold-models` run of EmoDB with those features
 * (its feature cache is reused). Prints, per run and fold, the UAR of the clip alone (checked to be
 * the fold record's own logits bit for bit), of each warp alone and of the averages; then the same
 * for the runs' seed ensemble (per fold, each run's average first, then the runs' mean probability).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

import ai.djl.Model;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.core.features.FeatureConfig;
import dev.ser.training.data.Corpus;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.data.LabeledClip;
import dev.ser.training.data.TelephoneLine;
import dev.ser.training.eval.Calibration;
import dev.ser.training.eval.Metrics;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.train.FoldRecord;
import dev.ser.training.train.MsSenetTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

public class TestTimeWarps {

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    FeatureConfig features = FeatureConfig.fromJson(Files.readString(Path.of(args[1])));
    double w = Double.parseDouble(args[2]);
    List<Path> runs = Arrays.stream(args, 3, args.length).map(Path::of).toList();
    double[] warps = {1 - w, 1 - w / 2, 1 + w / 2, 1 + w}; // Augmentation.vtlpFactors()
    // which versions each variant averages: 0 the clip, 1-4 the warps above
    Map<String, int[]> variants = new java.util.LinkedHashMap<>();
    variants.put("clip", new int[] {0});
    for (int v = 0; v < warps.length; v++) {
      variants.put(String.format(Locale.ROOT, "warp %.3f", warps[v]), new int[] {v + 1});
    }
    variants.put("mean of 3 (1 +- w/2)", new int[] {0, 2, 3});
    variants.put("mean of 5", new int[] {0, 1, 2, 3, 4});

    Corpus corpus = Corpus.named("emodb", data);
    List<LabeledClip> clips = corpus.load(data);
    FeatureSet set = FeatureSet.compute(clips, corpus.labels(), features, runs.get(0).resolve("feature-cache"),
        TelephoneLine.NONE);
    float[][][] warped = set.versions(warps, new double[0]);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < set.size(); i++) {
      index.put(set.clips().get(i).audio().getFileName().toString(), i);
    }
    ObjectMapper json = new ObjectMapper();
    Map<Integer, List<float[][][]>> byFold = new TreeMap<>();
    Map<Integer, int[]> truth = new HashMap<>();
    Map<String, double[]> sums = new java.util.LinkedHashMap<>();
    int scored = 0;
    for (Path run : runs) {
      Path folds = run.resolve("folds");
      for (int fold = 1; Files.exists(FoldRecord.file(folds, fold)); fold++) {
        FoldRecord record = FoldRecord.read(FoldRecord.file(folds, fold));
        Path dir = folds.resolve(String.format(Locale.ROOT, "fold-%02d-model", fold));
        ModelConfig config = json.treeToValue(json.readTree(dir.resolve("model.json").toFile()).get("model_config"),
            ModelConfig.class);
        int n = record.test().size();
        float[][][] logits = new float[warps.length + 1][][];
        try (Model model = MsSenetTrainer.newModel(config)) {
          model.load(dir, "ms-senet");
          for (int v = 0; v <= warps.length; v++) {
            float[][] x = new float[n][];
            for (int i = 0; i < n; i++) {
              int c = index.get(record.test().get(i));
              x[i] = v == 0 ? set.x()[c] : warped[c][v - 1];
            }
            logits[v] = MsSenetTrainer.logits(model, config, x);
          }
        }
        if (!Arrays.deepEquals(logits[0], record.logits())) {
          throw new IllegalStateException(run + " fold " + fold + ": the kept model does not repeat its record's logits");
        }
        byFold.computeIfAbsent(fold, k -> new ArrayList<>()).add(logits);
        truth.put(fold, record.truth());
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s fold %d:", run.getFileName(), fold));
        for (var v : variants.entrySet()) {
          double uar = uar(set.labels(), record.truth(), average(logits, v.getValue()));
          sums.computeIfAbsent(v.getKey(), k -> new double[1])[0] += uar;
          line.append(String.format(Locale.ROOT, " %s %.2f;", v.getKey(), 100 * uar));
        }
        scored++;
        System.out.println(line);
      }
    }
    StringBuilder mean = new StringBuilder("mean over " + scored + " (run, fold) pairs:");
    for (var s : sums.entrySet()) {
      mean.append(String.format(Locale.ROOT, " %s %.2f;", s.getKey(), 100 * s.getValue()[0] / scored));
    }
    System.out.println(mean);
    if (runs.size() > 1) {
      for (var f : byFold.entrySet()) {
        StringBuilder line = new StringBuilder("ensemble of " + f.getValue().size() + " runs, fold " + f.getKey() + ":");
        for (var v : variants.entrySet()) {
          List<float[][]> members = new ArrayList<>();
          f.getValue().forEach(logits -> members.add(average(logits, v.getValue())));
          double uar = uar(set.labels(), truth.get(f.getKey()), Calibration.logMeanProbabilities(members));
          line.append(String.format(Locale.ROOT, " %s %.2f;", v.getKey(), 100 * uar));
        }
        System.out.println(line);
      }
    }
  }

  /** Log of the mean probability over the chosen versions, as an ensemble averages its members. */
  private static float[][] average(float[][][] logits, int[] versions) {
    List<float[][]> chosen = new ArrayList<>();
    for (int v : versions) {
      chosen.add(logits[v]);
    }
    return Calibration.logMeanProbabilities(chosen);
  }

  private static double uar(List<String> labels, int[] truth, float[][] scores) {
    int[] predicted = new int[truth.length];
    for (int i = 0; i < truth.length; i++) {
      for (int c = 1; c < scores[i].length; c++) {
        if (scores[i][c] > scores[i][predicted[i]]) {
          predicted[i] = c;
        }
      }
    }
    return Metrics.of(labels, truth, predicted).uar();
  }
}
