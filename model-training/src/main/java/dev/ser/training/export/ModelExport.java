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
    JsonNode description = JSON.readTree(file.toFile());
    if (!description.has("metadata") || !description.has("model_config")) {
      throw new IOException(file + " has no \"metadata\" or \"model_config\": it was not written by this version of"
          + " ser train (train again, or export with the version that trained it)");
    }
    ModelConfig config = JSON.treeToValue(description.get("model_config"), ModelConfig.class);
    Map<String, String> properties = JSON.convertValue(description.get("metadata"),
        JSON.getTypeFactory().constructMapType(java.util.LinkedHashMap.class, String.class, String.class));
    ModelMetadata metadata = ModelMetadata.fromProperties(properties, file.toString());
    double temperature = description.path("temperature").asDouble(1);
    try (Model model = MsSenetTrainer.newModel(config)) {
      model.load(dir, "ms-senet");
      return export(model, config, metadata, temperature, onnx);
    } catch (MalformedModelException e) {
      throw new IOException("cannot load the weights in " + dir + ": " + e.getMessage(), e);
    }
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
    float[][] djl = dev.ser.training.eval.Calibration.probabilities(MsSenetTrainer.logits(model, config, inputs), temperature);
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
