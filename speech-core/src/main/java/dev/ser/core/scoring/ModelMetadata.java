package dev.ser.core.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.core.features.FeatureConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an exported model file says about itself, stored as ONNX {@code metadata_props}: class
 * labels in output order, the exact {@link FeatureConfig} of its input, name, version, training
 * corpus and the cross-validation summary. A scorer configures itself from these alone.
 *
 * @param crossValidation the training report's {@code summary} object, as JSON
 */
public record ModelMetadata(String name, String version, List<String> labels, FeatureConfig features, String corpus,
    String crossValidation) {

  public static final String LABELS = "ser.labels";
  public static final String FEATURE_CONFIG = "ser.feature_config";
  public static final String NAME = "ser.model_name";
  public static final String VERSION = "ser.model_version";
  public static final String CORPUS = "ser.training_corpus";
  public static final String CROSS_VALIDATION = "ser.cross_validation";
  /** Names of the graph's input (N, frames, coefficients) and output (N, classes). */
  public static final String INPUT = "mfcc";
  public static final String OUTPUT = "probabilities";

  private static final ObjectMapper JSON = new ObjectMapper();

  public Map<String, String> toProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(NAME, name);
    p.put(VERSION, version);
    try {
      p.put(LABELS, JSON.writeValueAsString(labels));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    p.put(FEATURE_CONFIG, features.toJson());
    p.put(CORPUS, corpus);
    p.put(CROSS_VALIDATION, crossValidation);
    return p;
  }

  /** Reads the properties back; a model without them is refused with the missing key named. */
  public static ModelMetadata fromProperties(Map<String, String> p, String source) {
    for (String key : List.of(NAME, VERSION, LABELS, FEATURE_CONFIG)) {
      if (!p.containsKey(key)) {
        throw new IllegalArgumentException(source + " lacks the metadata property \"" + key + "\"; it was not"
            + " exported by ser train, so its labels and features are unknown");
      }
    }
    try {
      List<String> labels = JSON.readValue(p.get(LABELS), new TypeReference<List<String>>() {});
      return new ModelMetadata(p.get(NAME), p.get(VERSION), labels, FeatureConfig.fromJson(p.get(FEATURE_CONFIG)),
          p.getOrDefault(CORPUS, "unknown"), p.getOrDefault(CROSS_VALIDATION, "{}"));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": metadata property " + LABELS + " is not a JSON list of strings", e);
    }
  }
}
