package dev.ser.training.export;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.model.MsSenet;
import dev.ser.training.train.MsSenetTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Saved weights to ONNX: the DJL parameters and {@code model.json} that {@code ser train} leaves in
 * its {@code final/} folder become one self-describing ONNX file, checked against DJL.
 */
public final class ModelExport {

  /** Largest allowed |DJL - ONNX Runtime| over all probabilities of the parity inputs. */
  public static final double PARITY_TOLERANCE = 1e-5;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelExport() {}

  /**
   * Writes {@code model.json} beside the saved weights: the model's shape, its temperature, and its
   * description as the very properties the ONNX file will carry ({@link ModelMetadata#toProperties},
   * the one serializer of a model's description).
   */
  public static void writeDescription(Path dir, ModelConfig config, ModelMetadata metadata, double temperature)
      throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.set("model_config", JSON.valueToTree(config));
    node.put("temperature", temperature);
    node.set("metadata", JSON.valueToTree(metadata.toProperties()));
    JSON.writeValue(dir.resolve("model.json").toFile(), node);
  }

  /** Exports the model in {@code dir} to {@code onnx}; returns the parity difference. */
  public static double export(Path dir, Path onnx) throws IOException {
    Path file = dir.resolve("model.json");
    JsonNode description = description(dir);
    ModelConfig config = JSON.treeToValue(description.get("model_config"), ModelConfig.class);
    ModelMetadata metadata = metadata(description, file);
    double temperature = description.path("temperature").asDouble(1);
    try (Model model = MsSenetTrainer.newModel(config)) {
      model.load(dir, "ms-senet");
      return export(model, config, metadata, temperature, onnx);
    } catch (MalformedModelException e) {
      throw new IOException("cannot load the weights in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Exports the seed ensemble of the models in {@code dirs} (each a {@code final/} folder of
   * {@code ser train}, trained on the same clips with the same features and classes) as one ONNX
   * file: the members' mean probabilities, calibrated by the temperature of {@code report} (the
   * ensemble's own report.json from {@code ser report --folds A --folds B ... --out DIR}), whose
   * summary becomes the file's cross-validation summary. Returns the parity difference against DJL.
   *
   * @param version the file's model version; null for the first member's
   */
  public static double exportEnsemble(List<Path> dirs, Path report, String version, Path onnx) throws IOException {
    JsonNode ensembleReport = JSON.readTree(report.toFile());
    JsonNode seeds = ensembleReport.at("/settings/ensemble_seeds");
    if (!seeds.isArray() || seeds.size() != dirs.size()) {
      throw new IllegalArgumentException(report + " is not the report of an ensemble of " + dirs.size() + " runs (its"
          + " settings list " + (seeds.isArray() ? seeds.size() + " seeds" : "no ensemble_seeds") + "): write it with"
          + " ser report --folds RUN_1/folds ... --folds RUN_" + dirs.size() + "/folds --out DIR");
    }
    double temperature = ensembleReport.at("/summary/temperature").asDouble(Double.NaN);
    List<ModelConfig> configs = new ArrayList<>();
    List<ModelMetadata> metadata = new ArrayList<>();
    List<JsonNode> summaries = new ArrayList<>();
    for (Path dir : dirs) {
      JsonNode description = description(dir);
      configs.add(JSON.treeToValue(description.get("model_config"), ModelConfig.class));
      ModelMetadata m = metadata(description, dir.resolve("model.json"));
      metadata.add(m);
      summaries.add(JSON.readTree(m.crossValidation()));
    }
    ModelMetadata first = metadata.get(0);
    ObjectNode summary = ((ObjectNode) ensembleReport.get("summary")).deepCopy();
    summary.set("ensemble_seeds", seeds);
    for (String key : List.of("final_model_clips", "final_model_excluded_clips", "final_model_excluded")) {
      summary.set(key, summaries.get(0).get(key));
    }
    for (int m = 1; m < dirs.size(); m++) {
      String why = !metadata.get(m).labels().equals(first.labels()) ? "other labels"
          : !metadata.get(m).features().equals(first.features()) ? "other features"
          : !java.util.Objects.equals(summaries.get(m).get("final_model_excluded"), summaries.get(0).get("final_model_excluded"))
              ? "other clips left out of its training" : null;
      if (why != null) {
        throw new IllegalArgumentException(dirs.get(m) + " has " + why + " than " + dirs.get(0)
            + ": the members of an ensemble must be trained on the same clips for the same input and classes");
      }
    }
    ModelMetadata ensemble = new ModelMetadata(first.name(), version != null ? version : first.version(),
        first.labels(), first.features(), first.corpus(), summary.toString());
    List<Model> models = new ArrayList<>();
    try {
      List<MsSenet> nets = new ArrayList<>();
      for (int m = 0; m < dirs.size(); m++) {
        Model model = MsSenetTrainer.newModel(configs.get(m));
        models.add(model);
        model.load(dirs.get(m), "ms-senet");
        nets.add((MsSenet) model.getBlock());
      }
      Files.createDirectories(onnx.toAbsolutePath().getParent());
      Files.write(onnx, MsSenetOnnxExporter.exportEnsemble(nets, ensemble, temperature).toByteArray());
      float[][] inputs = parityInputs(configs.get(0), 32);
      List<float[][]> logits = new ArrayList<>();
      for (int m = 0; m < dirs.size(); m++) {
        logits.add(MsSenetTrainer.logits(models.get(m), configs.get(m), inputs));
      }
      double diff = parity(ensembleProbabilities(logits, temperature), configs.get(0), onnx, inputs);
      requireParity(diff, onnx);
      return diff;
    } catch (MalformedModelException e) {
      throw new IOException("cannot load the weights of an ensemble member: " + e.getMessage(), e);
    } finally {
      models.forEach(Model::close);
    }
  }

  /**
   * What the ensemble graph computes, in Java: per input, the members' softmax probabilities at
   * temperature 1 averaged, then softmax(log mean / temperature).
   */
  static float[][] ensembleProbabilities(List<float[][]> memberLogits, double temperature) {
    return dev.ser.training.eval.Calibration.probabilities(
        dev.ser.training.eval.Calibration.logMeanProbabilities(memberLogits), temperature);
  }

  /** The model's description as {@link #writeDescription} wrote it, read back. */
  private static ModelMetadata metadata(JsonNode description, Path file) {
    Map<String, String> properties = JSON.convertValue(description.get("metadata"),
        JSON.getTypeFactory().constructMapType(java.util.LinkedHashMap.class, String.class, String.class));
    return ModelMetadata.fromProperties(properties, file.toString());
  }

  private static JsonNode description(Path dir) throws IOException {
    Path file = dir.resolve("model.json");
    JsonNode description = JSON.readTree(file.toFile());
    if (!description.has("metadata") || !description.has("model_config")) {
      throw new IOException(file + " has no \"metadata\" or \"model_config\": it was not written by this version of"
          + " ser train (train again, or export with the version that trained it)");
    }
    return description;
  }

  /** Exports a trained model and checks ONNX Runtime against DJL on inputs it was not trained on. */
  public static double export(Model model, ModelConfig config, ModelMetadata metadata, double temperature, Path onnx)
      throws IOException {
    Files.createDirectories(onnx.toAbsolutePath().getParent());
    Files.write(onnx, MsSenetOnnxExporter.export((MsSenet) model.getBlock(), metadata, temperature).toByteArray());
    double diff = parity(model, config, temperature, onnx, parityInputs(config, 32));
    requireParity(diff, onnx);
    return diff;
  }

  /** Deletes {@code onnx} and throws unless {@code diff} is within the tolerance (NaN is not). */
  static void requireParity(double diff, Path onnx) throws IOException {
    if (!(diff <= PARITY_TOLERANCE)) { // NaN fails too
      Files.delete(onnx);
      throw new IllegalStateException("ONNX export differs from DJL by " + diff + " (allowed " + PARITY_TOLERANCE
          + "); the file was not kept");
    }
  }

  /** Max |DJL - ONNX Runtime| over all class probabilities of {@code inputs}. */
  public static double parity(Model model, ModelConfig config, double temperature, Path onnx, float[][] inputs)
      throws IOException {
    return parity(dev.ser.training.eval.Calibration.probabilities(MsSenetTrainer.logits(model, config, inputs),
        temperature), config, onnx, inputs);
  }

  /** Max |expected - ONNX Runtime| over all class probabilities of {@code inputs}. */
  private static double parity(float[][] djl, ModelConfig config, Path onnx, float[][] inputs) throws IOException {
    List<MfccMatrix> batch = new ArrayList<>();
    for (float[] x : inputs) {
      batch.add(new MfccMatrix(config.frames(), config.coefficients(), x));
    }
    try (EmotionScorer scorer = EmotionScorer.open(onnx)) {
      float[][] ort = scorer.probabilities(batch);
      double max = 0;
      for (int i = 0; i < djl.length; i++) {
        for (int k = 0; k < djl[i].length; k++) {
          max = Math.max(max, Math.abs(djl[i][k] - ort[i][k]));
        }
      }
      return max;
    } catch (ai.onnxruntime.OrtException e) {
      throw new IOException("ONNX Runtime cannot run " + onnx + ": " + e.getMessage(), e);
    }
  }

  /**
   * Inputs no model was trained on: MFCC-like values (c0 around -300, the rest around 0, scaled
   * like real MFCCs) from a fixed seed.
   */
  static float[][] parityInputs(ModelConfig config, int count) {
    Random random = new Random(20261121);
    float[][] x = new float[count][config.frames() * config.coefficients()];
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        boolean c0 = i % config.coefficients() == 0;
        row[i] = (float) (c0 ? -300 + 100 * random.nextGaussian() : 20 * random.nextGaussian());
      }
    }
    return x;
  }
}
