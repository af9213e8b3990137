package dev.ser.bench;

import ai.djl.Model;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.train.EpochStats;
import dev.ser.training.train.MsSenetTrainer;
import dev.ser.training.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The epoch-time measurement of issue 13 (goal: 4 s): the reference network trained on 480 random
 * 188 x 39 matrices of 7 classes, batch 64, no augmentation, no held-out set, in this JVM's PyTorch
 * threads. With {@code --profile}, PyTorch's profiler records the last epoch and the operators are
 * summed by name and input shapes, exclusive of the operators they call.
 */
final class EpochBench {

  private EpochBench() {}

  static Map<String, Object> run(int epochs, boolean profile, int top) throws IOException {
    int frames = 188;
    int coefficients = 39;
    int n = 480;
    ModelConfig config = ModelConfig.reference(frames, coefficients, 7);
    float[][] x = SyntheticTraining.clips(n, frames * coefficients, 0f, 11);
    int[] y = SyntheticTraining.labels(n);
    TrainingOptions options = SyntheticTraining.options(epochs, 64);
    Path trace = profile ? Files.createTempFile("ser-epoch-profile", ".json") : null;
    List<Double> seconds = new ArrayList<>();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("clips", n);
    out.put("input", frames + " x " + coefficients);
    out.put("batch", 64);
    out.put("pytorch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
    out.put("epoch_seconds", seconds); // filled as the epochs end
    try {
      try (Model model = MsSenetTrainer.newModel(config)) {
        MsSenetTrainer.train(model, config, options, x, y, null, null, (EpochStats s) -> {
          seconds.add(s.seconds());
          // the last epoch alone: training ends with batch-norm statistics recomputed, which is not an epoch
          if (profile && s.epoch() == epochs - 1) {
            JniUtils.startProfile(false, true, false);
          } else if (profile && s.epoch() == epochs) {
            JniUtils.stopProfile(trace.toString());
          }
        });
      }
      if (profile) {
        List<Map<String, Object>> ops = exclusiveTimes(new ObjectMapper().readTree(trace.toFile()));
        out.put("profiled_epoch", epochs);
        out.put("operator_ms_total", ops.stream().mapToDouble(o -> (Double) o.get("ms")).sum());
        out.put("operators", ops.subList(0, Math.min(top, ops.size())));
      }
    } finally {
      if (trace != null) {
        Files.deleteIfExists(trace);
      }
    }
    return out;
  }

  /**
   * Milliseconds per (operator, input shapes) in a Chrome trace of complete ("X") events, each
   * event's time less that of the events nested in it on the same thread; largest first.
   */
  static List<Map<String, Object>> exclusiveTimes(JsonNode trace) {
    JsonNode events = trace.isArray() ? trace : trace.path("traceEvents");
    Map<String, List<JsonNode>> byThread = new HashMap<>();
    for (JsonNode e : events) {
      if ("X".equals(e.path("ph").asText())) {
        byThread.computeIfAbsent(e.path("pid").asText() + "/" + e.path("tid").asText(), k -> new ArrayList<>()).add(e);
      }
    }
    Map<String, double[]> totals = new HashMap<>(); // key -> {exclusive us, calls}
    for (List<JsonNode> list : byThread.values()) {
      list.sort(Comparator.<JsonNode>comparingDouble(e -> e.path("ts").asDouble())
          .thenComparing(Comparator.<JsonNode>comparingDouble(e -> e.path("dur").asDouble()).reversed()));
      Deque<JsonNode> open = new ArrayDeque<>();
      Deque<String> openKeys = new ArrayDeque<>();
      for (JsonNode e : list) {
        double start = e.path("ts").asDouble();
        while (!open.isEmpty() && open.peek().path("ts").asDouble() + open.peek().path("dur").asDouble() <= start) {
          open.pop();
          openKeys.pop();
        }
        String key = e.path("name").asText() + " " + e.path("shape").toString();
        double dur = e.path("dur").asDouble();
        if (!openKeys.isEmpty()) {
          totals.get(openKeys.peek())[0] -= dur;
        }
        double[] t = totals.computeIfAbsent(key, k -> new double[2]);
        t[0] += dur;
        t[1]++;
        open.push(e);
        openKeys.push(key);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    totals.forEach((key, t) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("operator", key);
      m.put("ms", Math.round(t[0]) / 1000.0);
      m.put("calls", (long) t[1]);
      out.add(m);
    });
    out.sort(Comparator.comparingDouble((Map<String, Object> m) -> (Double) m.get("ms")).reversed());
    return out;
  }
}
