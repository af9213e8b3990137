package dev.ser.training.train;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.training.eval.Calibration;
import dev.ser.training.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Teachers for knowledge distillation: finished runs of the same data and protocol that kept their
 * fold models ({@code ser train --save-fold-models}). Fold k of the student learns from the mean
 * class probabilities of the teachers' fold-k models on its training clips, so no teacher has seen
 * the student's test clips; a final model learns from the teachers' final models. With several
 * teacher runs (other seeds), the student learns from their seed ensemble.
 */
public final class Distillation {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Settings that may differ between a teacher and its student: how each is trained, not on what. */
  private static final List<String> TRAINING_ONLY = List.of("training_options", "model_config", "fold_seed",
      "distillation", "ensemble_seeds");

  private final List<Path> runs;
  private final float weight;
  private final List<Long> seeds = new ArrayList<>();

  private Distillation(List<Path> runs, float weight) {
    this.runs = List.copyOf(runs);
    this.weight = weight;
  }

  /**
   * The teachers in {@code runs} (each a {@code ser train --out} folder), checked against the
   * student's {@code settings}: the same corpus, clips, protocol, features and channel.
   */
  public static Distillation of(List<Path> runs, float weight, JsonNode settings) throws IOException {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("distillation needs at least one teacher run");
    }
    SoftTargets.requireWeight(weight); // before any model is loaded
    Distillation d = new Distillation(runs, weight);
    for (Path run : runs) {
      Path folds = run.resolve("folds");
      List<Path> records;
      try (var list = Files.list(folds)) {
        records = list.filter(p -> p.getFileName().toString().matches("fold-\\d+\\.json")).sorted().toList();
      } catch (java.nio.file.NoSuchFileException e) {
        records = List.of();
      }
      if (records.isEmpty()) {
        throw new IllegalArgumentException("teacher " + run + " has no fold record in " + folds
            + ": give the --out folder of a ser train run with --save-fold-models");
      }
      FoldRecord any = FoldRecord.read(records.get(0));
      String difference = FoldRecord.difference(withoutTraining(settings), withoutTraining(any.settings()), "");
      if (difference != null) {
        throw new IllegalArgumentException("teacher " + run + " was trained on other data than this run ("
            + difference.replace(" in the record", " in the teacher") + ")");
      }
      d.seeds.add(any.settings().at("/training_options/seed").asLong());
    }
    return d;
  }

  private static JsonNode withoutTraining(JsonNode settings) {
    ObjectNode copy = settings.deepCopy();
    TRAINING_ONLY.forEach(copy::remove);
    return copy;
  }

  /** As recorded in the student's settings: the weight and each teacher run's folder name and seed. */
  public ObjectNode describe() {
    ObjectNode node = JSON.createObjectNode();
    node.put("weight", weight);
    ArrayNode teachers = node.putArray("teachers");
    for (int i = 0; i < runs.size(); i++) {
      teachers.addObject().put("run", runs.get(i).toAbsolutePath().normalize().getFileName().toString())
          .put("seed", seeds.get(i));
    }
    return node;
  }

  /**
   * Soft targets for fold {@code fold}: the teachers' fold models on its training clips. Each
   * teacher must have tested the same clips in that fold ({@code testClips}), so its model never
   * saw the student's test clips.
   */
  SoftTargets forFold(int fold, float[][] trainX, List<String> testClips) throws IOException {
    List<Path> models = new ArrayList<>();
    for (Path run : runs) {
      Path record = FoldRecord.file(run.resolve("folds"), fold);
      if (!Files.exists(record)) {
        throw new IllegalArgumentException("teacher " + run + " has not finished fold " + fold + " (no " + record
            + "): finish the teacher runs first");
      }
      if (!FoldRecord.read(record).test().equals(testClips)) {
        throw new IllegalArgumentException("teacher " + run + " tested other clips in fold " + fold + " than this run:"
            + " its folds were dealt with another seed (give the student --fold-seed of the teachers' folds)");
      }
      Path dir = CrossValidation.modelDir(run.resolve("folds"), fold);
      if (!Files.exists(dir.resolve("model.json"))) {
        throw new IllegalArgumentException("teacher " + run + " kept no model of fold " + fold + " (no " + dir
            + "): run it with --save-fold-models");
      }
      models.add(dir);
    }
    return new SoftTargets(meanProbabilities(models, trainX), weight);
  }

  /**
   * Soft targets for a final model: the teachers' final models (their {@code final/} folders),
   * which must have left out the same clips ({@code excluded}) as the student's.
   */
  public SoftTargets forFinal(float[][] x, List<String> excluded) throws IOException {
    List<Path> models = new ArrayList<>();
    for (Path run : runs) {
      Path dir = run.resolve("final");
      JsonNode report = Files.exists(run.resolve("report.json")) ? JSON.readTree(run.resolve("report.json").toFile())
          : null;
      if (report == null || !Files.exists(dir.resolve("model.json"))) {
        throw new IllegalArgumentException("teacher " + run + " has no final model (" + dir + "): a distilled final"
            + " model needs its teachers' final models, or pass --skip-final");
      }
      List<String> theirs = new ArrayList<>();
      report.at("/summary/final_model_excluded").forEach(n -> theirs.add(n.asText()));
      if (!theirs.equals(excluded)) {
        throw new IllegalArgumentException("teacher " + run + "'s final model left out " + theirs + ", this one "
            + excluded + ": the teachers must not have trained on clips the student's final model leaves out");
      }
      models.add(dir);
    }
    return new SoftTargets(meanProbabilities(models, x), weight);
  }

  /** The teachers' mean class probabilities on {@code x}, as {@code ser report} averages an ensemble. */
  private static float[][] meanProbabilities(List<Path> models, float[][] x) throws IOException {
    List<float[][]> logits = new ArrayList<>();
    for (Path dir : models) {
      ModelConfig config = JSON.treeToValue(JSON.readTree(dir.resolve("model.json").toFile()).get("model_config"),
          ModelConfig.class);
      try (Model model = MsSenetTrainer.newModel(config)) {
        model.load(dir, "ms-senet");
        logits.add(MsSenetTrainer.logits(model, config, x));
      } catch (MalformedModelException e) {
        throw new IOException("cannot load the teacher model in " + dir + ": " + e.getMessage(), e);
      }
    }
    return Calibration.probabilities(Calibration.logMeanProbabilities(logits), 1);
  }

  /** Keeps a trained model where {@link #forFold} finds it: its parameters and its shape. */
  static void save(Model model, ModelConfig config, Path dir) throws IOException {
    Files.createDirectories(dir);
    model.save(dir, "ms-senet");
    ObjectNode node = JSON.createObjectNode();
    node.set("model_config", JSON.valueToTree(config));
    JSON.writeValue(dir.resolve("model.json").toFile(), node);
  }
}
