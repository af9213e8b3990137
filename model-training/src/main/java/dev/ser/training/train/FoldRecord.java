package dev.ser.training.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What one finished cross-validation fold leaves behind, {@code folds/fold-NN.json}: the settings
 * it was trained with, its test clips with their true classes and the model's logits on them,
 * and its learning curve. Metrics and calibration are derived from these when the report is
 * drawn, so a run cut off after any fold loses nothing that was finished.
 *
 * @param settings the run's settings (corpus, protocol, clips, features, model, training); a
 *                 resumed run must have identical ones
 * @param test     the held-out clips' names (as the corpus lists them)
 * @param truth    their true class indices
 * @param logits   the fold model's logits on them (inference mode, before any temperature)
 */
public record FoldRecord(int fold, JsonNode settings, List<String> test, int[] truth, float[][] logits,
    List<EpochStats> curve, double seconds) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static Path file(Path dir, int fold) {
    return dir.resolve(String.format(java.util.Locale.ROOT, "fold-%02d.json", fold));
  }

  public int[] predicted() {
    int[] p = new int[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = MsSenetTrainer.argmax(logits[i]);
    }
    return p;
  }

  /**
   * The record an ensemble of the {@code members}' models would have left: the same fold and test
   * clips, each clip's logits the log of the members' mean class probabilities (softmax of each
   * member's logits at temperature 1, averaged), so softmax of the result is that mean and argmax
   * its prediction; a temperature fitted on these logits calibrates the ensemble as a whole. The
   * learning curve is the members' mean per epoch (seconds and step counts summed, as the ensemble
   * costs all of them); the settings are the first member's with {@code ensemble_seeds} added.
   *
   * @throws IllegalArgumentException when the members are not the same fold over the same clips
   */
  public static FoldRecord ensemble(List<FoldRecord> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("an ensemble needs at least one member");
    }
    FoldRecord first = members.get(0);
    for (int m = 1; m < members.size(); m++) {
      FoldRecord r = members.get(m);
      if (r.fold != first.fold) {
        throw new IllegalArgumentException("member " + (m + 1) + " is fold " + r.fold + ", member 1 fold " + first.fold);
      }
      if (!r.test.equals(first.test) || !java.util.Arrays.equals(r.truth, first.truth)) {
        throw new IllegalArgumentException("fold " + first.fold + ": member " + (m + 1) + " tests other clips than"
            + " member 1 (" + r.test.size() + " vs " + first.test.size() + " clips" + firstDifference(first, r)
            + "): not the same protocol and folds");
      }
    }
    float[][] logits = dev.ser.training.eval.Calibration.logMeanProbabilities(
        members.stream().map(FoldRecord::logits).toList());
    ObjectNode settings = first.settings.deepCopy();
    ArrayNode seeds = settings.putArray("ensemble_seeds");
    members.forEach(r -> seeds.add(r.settings.at("/training_options/seed").asLong()));
    return new FoldRecord(first.fold, settings, first.test, first.truth, logits, meanCurve(members),
        members.stream().mapToDouble(FoldRecord::seconds).sum());
  }

  private static String firstDifference(FoldRecord a, FoldRecord b) {
    for (int i = 0; i < Math.min(a.test.size(), b.test.size()); i++) {
      if (!a.test.get(i).equals(b.test.get(i)) || a.truth[i] != b.truth[i]) {
        return "; first difference at clip " + (i + 1) + ": " + a.test.get(i) + " vs " + b.test.get(i);
      }
    }
    return "";
  }

  /** Per epoch, over the members that have it: mean loss and accuracies, summed seconds and counts. */
  private static List<EpochStats> meanCurve(List<FoldRecord> members) {
    int epochs = members.stream().mapToInt(r -> r.curve.size()).min().orElse(0);
    List<EpochStats> curve = new ArrayList<>();
    for (int e = 0; e < epochs; e++) {
      double loss = 0;
      double train = 0;
      double heldOut = 0;
      double seconds = 0;
      double maxNorm = Double.NaN;
      int skipped = 0;
      int clipped = 0;
      int rolledBack = 0;
      String reason = null;
      for (FoldRecord r : members) {
        EpochStats s = r.curve.get(e);
        loss += s.loss() / members.size();
        train += s.trainAccuracy() / members.size();
        heldOut += s.heldOutAccuracy() / members.size(); // NaN unless every member measured it
        seconds += s.seconds();
        maxNorm = Double.isNaN(maxNorm) ? s.maxGradientNorm() : Math.max(maxNorm, s.maxGradientNorm());
        skipped += s.skippedSteps();
        clipped += s.clippedSteps();
        rolledBack += s.rolledBack();
        reason = reason != null ? reason : s.rollbackReason();
      }
      curve.add(new EpochStats(members.get(0).curve.get(e).epoch(), loss, train, heldOut, seconds, skipped, maxNorm,
          clipped, rolledBack, reason));
    }
    return curve;
  }

  /** Written to a temporary file and moved into place, so a record is whole or absent. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    ObjectNode root = JSON.createObjectNode();
    root.put("fold", fold);
    root.put("seconds", seconds);
    root.set("settings", settings);
    ArrayNode clips = root.putArray("test");
    for (int i = 0; i < test.size(); i++) {
      ObjectNode c = clips.addObject();
      c.put("clip", test.get(i));
      c.put("truth", truth[i]);
      ArrayNode l = c.putArray("logits");
      for (float v : logits[i]) {
        l.add(v);
      }
    }
    root.set("curve", curveJson(curve));
    Path tmp = Files.createTempFile(dir, "fold", ".tmp");
    JSON.writeValue(tmp.toFile(), root);
    Files.move(tmp, file(dir, fold), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A learning curve as JSON: one object per epoch, held-out accuracy null where not measured. */
  static ArrayNode curveJson(List<EpochStats> curve) {
    ArrayNode epochs = JSON.createArrayNode();
    for (EpochStats s : curve) {
      ObjectNode e = epochs.addObject().put("epoch", s.epoch()).put("loss", s.loss())
          .put("train_accuracy", s.trainAccuracy()).put("seconds", s.seconds());
      if (Double.isNaN(s.heldOutAccuracy())) {
        e.putNull("held_out_accuracy");
      } else {
        e.put("held_out_accuracy", s.heldOutAccuracy());
      }
      if (s.skippedSteps() > 0) {
        e.put("skipped_steps", s.skippedSteps()); // absent when 0, as in records from before it existed
      }
      if (!Double.isNaN(s.maxGradientNorm())) {
        e.put("max_gradient_norm", s.maxGradientNorm());
      }
      if (s.clippedSteps() > 0) {
        e.put("clipped_steps", s.clippedSteps());
      }
      if (s.rolledBack() > 0) {
        e.put("rolled_back", s.rolledBack()).put("rollback_reason", s.rollbackReason());
      }
    }
    return epochs;
  }

  public static FoldRecord read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    List<String> test = new ArrayList<>();
    JsonNode clips = root.get("test");
    int[] truth = new int[clips.size()];
    float[][] logits = new float[clips.size()][];
    for (int i = 0; i < clips.size(); i++) {
      JsonNode c = clips.get(i);
      test.add(c.get("clip").asText());
      truth[i] = c.get("truth").asInt();
      JsonNode l = c.get("logits");
      logits[i] = new float[l.size()];
      for (int k = 0; k < l.size(); k++) {
        logits[i][k] = (float) l.get(k).asDouble();
      }
    }
    List<EpochStats> curve = new ArrayList<>();
    for (JsonNode e : root.get("curve")) {
      JsonNode h = e.get("held_out_accuracy");
      curve.add(new EpochStats(e.get("epoch").asInt(), e.get("loss").asDouble(), e.get("train_accuracy").asDouble(),
          h == null || h.isNull() ? Double.NaN : h.asDouble(), e.get("seconds").asDouble(),
          e.path("skipped_steps").asInt(0), e.path("max_gradient_norm").asDouble(Double.NaN),
          e.path("clipped_steps").asInt(0), e.path("rolled_back").asInt(0),
          e.hasNonNull("rollback_reason") ? e.get("rollback_reason").asText() : null));
    }
    return new FoldRecord(root.get("fold").asInt(), root.get("settings"), test, truth, logits, curve,
        root.get("seconds").asDouble());
  }

  /**
   * The first difference between two settings trees, as "path: ours vs theirs", or null when equal.
   */
  public static String difference(JsonNode expected, JsonNode found, String path) {
    if (expected.equals(found)) {
      return null;
    }
    if (expected.isObject() && found.isObject()) {
      var names = new java.util.TreeSet<String>();
      expected.fieldNames().forEachRemaining(names::add);
      found.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode a = expected.get(name);
        JsonNode b = found.get(name);
        String sub = path.isEmpty() ? name : path + "." + name;
        if (a == null || b == null) {
          return sub + ": " + (a == null ? "absent" : a) + " now vs " + (b == null ? "absent" : b) + " in the record";
        }
        String d = difference(a, b, sub);
        if (d != null) {
          return d;
        }
      }
    }
    return path + ": " + expected + " now vs " + found + " in the record";
  }
}
