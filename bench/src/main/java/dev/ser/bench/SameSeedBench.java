package dev.ser.bench;

import ai.djl.Model;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.train.EpochStats;
import dev.ser.training.train.MsSenetTrainer;
import dev.ser.training.train.TrainingOptions;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Does one seed give the same weights? Trains the reference network (64 x 39 inputs, 96 synthetic
 * clips of 7 classes, batch 32, no augmentation, seed 42) for a few epochs, {@code runs} times in
 * this JVM, and prints a fingerprint of every run's weights. Run it in several JVMs (one PyTorch
 * thread) and compare the fingerprints: the measurement behind "Same seed, same bits" in
 * model-training/README.md.
 */
final class SameSeedBench {

  private SameSeedBench() {}

  static Map<String, Object> run(int epochs, int runs) {
    ModelConfig config = ModelConfig.reference(64, 39, 7);
    int n = 96;
    // a weak class signal on top of noise, so the loss falls and the weights move
    float[][] x = SyntheticTraining.clips(n, 64 * 39, 0.05f, 11);
    int[] y = SyntheticTraining.labels(n);
    TrainingOptions options = SyntheticTraining.options(epochs, 32);
    List<Map<String, Object>> results = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      try (Model model = MsSenetTrainer.newModel(config)) {
        List<EpochStats> curve = MsSenetTrainer.train(model, config, options, x, y, null, null, null);
        List<float[]> weights = new ArrayList<>();
        model.getBlock().getParameters().forEach(p -> weights.add(p.getValue().getArray().toFloatArray()));
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("weights_sha256", fingerprint(weights));
        one.put("last_loss", curve.get(curve.size() - 1).loss());
        results.add(one);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("epochs", epochs);
    out.put("pytorch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    out.put("runs", results);
    out.put("distinct_fingerprints", results.stream().map(m -> m.get("weights_sha256")).distinct().count());
    return out;
  }

  /** SHA-256 of every value's bits, parameter after parameter: equal only when every weight is. */
  static String fingerprint(List<float[]> parameters) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (float[] p : parameters) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * p.length);
        for (float v : p) {
          bytes.putInt(Float.floatToRawIntBits(v));
        }
        sha.update(bytes.array());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
