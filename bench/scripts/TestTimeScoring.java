/*
 * Other ways of scoring the test clips, from kept fold models: what each would have scored on each
 * test fold. Inference only, no training.
 *
 *   cp=model-training/target/classes:$(cat model-training/target/ser-classpath.txt)   # after bin/ser train --help
 *   java -cp "$cp" bench/scripts/TestTimeScoring.java warps CORPUS_DIR FEATURES_JSON MAX_WARP RUN...
 *   java -cp "$cp" bench/scripts/TestTimeScoring.java speaker-bn CORPUS_DIR FEATURES_JSON K RUN...
 *
 * Each RUN is the --out folder of a `ser train --save-fold-models` run of EmoDB with those features
 * (its feature cache is reused); each fold's model is checked to repeat its fold record's logits bit
 * for bit.
 *
 * warps: test-time augmentation over vocal tract length warps. Prints, per run and fold, the UAR of
 * the clip alone, of each warp alone (the four VTLP trains on) and of the averaged probabilities;
 * then the same for the runs' seed ensemble (per fold, each run's average, then their mean).
 *
 * speaker-bn: batch-norm statistics of the test speaker (AdaBN: every batch norm's running mean and
 * variance recomputed on unlabelled clips of the test fold, which in leave-one-speaker-out is one
 * speaker). Prints the UAR with the training statistics and with those of all the test clips; then,
 * as a call would have them, with the statistics of K random clips of the speaker, scored on the
 * others (the mean over five draws, against the training statistics on the same clips); then the
 * ensemble of the runs with and without.
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

public class TestTimeScoring {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[1]);
    FeatureConfig features = FeatureConfig.fromJson(Files.readString(Path.of(args[2])));
    List<Path> runs = Arrays.stream(args, 4, args.length).map(Path::of).toList();
    Corpus corpus = Corpus.named("emodb", data);
    List<LabeledClip> clips = corpus.load(data);
    FeatureSet set = FeatureSet.compute(clips, corpus.labels(), features, runs.get(0).resolve("feature-cache"),
        TelephoneLine.NONE);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < set.size(); i++) {
      index.put(set.clips().get(i).audio().getFileName().toString(), i);
    }
    switch (args[0]) {
      case "warps" -> warps(set, index, Double.parseDouble(args[3]), runs);
      case "speaker-bn" -> speakerBatchNorm(set, index, Integer.parseInt(args[3]), runs);
      default -> throw new IllegalArgumentException("mode must be warps or speaker-bn, got " + args[0]);
    }
  }

  private static void warps(FeatureSet set, Map<String, Integer> index, double w, List<Path> runs) throws Exception {
    double[] warps = {1 - w, 1 - w / 2, 1 + w / 2, 1 + w}; // Augmentation.vtlpFactors()
    // which versions each variant averages: 0 the clip, 1-4 the warps above
    Map<String, int[]> variants = new java.util.LinkedHashMap<>();
    variants.put("clip", new int[] {0});
    for (int v = 0; v < warps.length; v++) {
      variants.put(String.format(Locale.ROOT, "warp %.3f", warps[v]), new int[] {v + 1});
    }
    variants.put("mean of 3 (1 +- w/2)", new int[] {0, 2, 3});
    variants.put("mean of 5", new int[] {0, 1, 2, 3, 4});

    float[][][] warped = set.versions(warps, new double[0]);
    Map<Integer, List<float[][][]>> byFold = new TreeMap<>();
    Map<Integer, int[]> truth = new HashMap<>();
    Map<String, double[]> sums = new java.util.LinkedHashMap<>();
    int scored = 0;
    for (Path run : runs) {
      Path folds = run.resolve("folds");
      for (int fold = 1; Files.exists(FoldRecord.file(folds, fold)); fold++) {
        FoldRecord record = FoldRecord.read(FoldRecord.file(folds, fold));
        Path dir = folds.resolve(String.format(Locale.ROOT, "fold-%02d-model", fold));
        int n = record.test().size();
        float[][][] logits = new float[warps.length + 1][][];
        for (int v = 0; v <= warps.length; v++) {
          float[][] x = new float[n][];
          for (int i = 0; i < n; i++) {
            int c = index.get(record.test().get(i));
            x[i] = v == 0 ? set.x()[c] : warped[c][v - 1];
          }
          logits[v] = score(dir, x, null);
        }
        checkRepeats(logits[0], record, run, fold);
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

  private static void speakerBatchNorm(FeatureSet set, Map<String, Integer> index, int k, List<Path> runs)
      throws Exception {
    Map<Integer, List<float[][]>> plain = new TreeMap<>();
    Map<Integer, List<float[][]>> adapted = new TreeMap<>();
    Map<Integer, int[]> truth = new HashMap<>();
    double[] sums = new double[4];
    int scored = 0;
    for (Path run : runs) {
      Path folds = run.resolve("folds");
      for (int fold = 1; Files.exists(FoldRecord.file(folds, fold)); fold++) {
        FoldRecord record = FoldRecord.read(FoldRecord.file(folds, fold));
        Path dir = folds.resolve(String.format(Locale.ROOT, "fold-%02d-model", fold));
        int n = record.test().size();
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
          x[i] = set.x()[index.get(record.test().get(i))];
        }
        float[][] before = score(dir, x, null);
        checkRepeats(before, record, run, fold);
        float[][] after = score(dir, x, x);
        double[] some = new double[2]; // K clips' statistics, on the other clips: training statistics, the K clips'
        int draws = 5;
        for (int draw = 0; draw < draws; draw++) {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            order.add(i);
          }
          java.util.Collections.shuffle(order, new java.util.Random(fold * 100L + draw));
          float[][] stats = new float[k][];
          for (int i = 0; i < k; i++) {
            stats[i] = x[order.get(i)];
          }
          int m = n - k;
          float[][] rest = new float[m][];
          float[][] restBefore = new float[m][];
          int[] restTruth = new int[m];
          for (int i = 0; i < m; i++) {
            rest[i] = x[order.get(k + i)];
            restBefore[i] = before[order.get(k + i)];
            restTruth[i] = record.truth()[order.get(k + i)];
          }
          some[0] += uar(set.labels(), restTruth, restBefore) / draws;
          some[1] += uar(set.labels(), restTruth, score(dir, rest, stats)) / draws;
        }
        double[] row = {uar(set.labels(), record.truth(), before), uar(set.labels(), record.truth(), after), some[0],
            some[1]};
        for (int i = 0; i < row.length; i++) {
          sums[i] += row[i];
        }
        scored++;
        plain.computeIfAbsent(fold, f -> new ArrayList<>()).add(before);
        adapted.computeIfAbsent(fold, f -> new ArrayList<>()).add(after);
        truth.put(fold, record.truth());
        System.out.printf(Locale.ROOT, "%s fold %d: training statistics %.2f; all test clips' %.2f;"
            + " on the clips after %d: training statistics %.2f, the %d clips' %.2f%n", run.getFileName(), fold,
            100 * row[0], 100 * row[1], k, 100 * row[2], k, 100 * row[3]);
      }
    }
    System.out.printf(Locale.ROOT, "mean over %d (run, fold) pairs: %.2f; %.2f; after %d: %.2f, %.2f%n", scored,
        100 * sums[0] / scored, 100 * sums[1] / scored, k, 100 * sums[2] / scored, 100 * sums[3] / scored);
    if (runs.size() > 1) {
      for (int fold : plain.keySet()) {
        System.out.printf(Locale.ROOT, "ensemble of %d runs, fold %d: training statistics %.2f; all test clips' %.2f%n",
            plain.get(fold).size(), fold,
            100 * uar(set.labels(), truth.get(fold), Calibration.logMeanProbabilities(plain.get(fold))),
            100 * uar(set.labels(), truth.get(fold), Calibration.logMeanProbabilities(adapted.get(fold))));
      }
    }
  }

  /** The fold model in {@code dir} on {@code x}, its batch norms' statistics first recomputed on {@code stats} if given. */
  private static float[][] score(Path dir, float[][] x, float[][] stats) throws Exception {
    ModelConfig config = JSON.treeToValue(JSON.readTree(dir.resolve("model.json").toFile()).get("model_config"),
        ModelConfig.class);
    try (Model model = MsSenetTrainer.newModel(config)) {
      model.load(dir, "ms-senet");
      if (stats != null) {
        MsSenetTrainer.recomputeBatchNormStatistics(model, config, stats, 64);
      }
      return MsSenetTrainer.logits(model, config, x);
    }
  }

  private static void checkRepeats(float[][] logits, FoldRecord record, Path run, int fold) {
    if (!Arrays.deepEquals(logits, record.logits())) {
      throw new IllegalStateException(run + " fold " + fold + ": the kept model does not repeat its record's logits");
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
