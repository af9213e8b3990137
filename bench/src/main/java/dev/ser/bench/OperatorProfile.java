package dev.ser.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Where ONNX Runtime's time goes, operator by operator: {@code runs} batch-1 inferences of a model
 * with ONNX Runtime's own profiler on, its trace read back and summed per operator type, with the
 * multiply-adds of each convolution and matrix product (from the shapes the trace records) so each
 * type's arithmetic rate can be set against the machine's peak.
 */
final class OperatorProfile {

  private OperatorProfile() {}

  /** One operator type's share: total microseconds over the runs, nodes, multiply-adds per run. */
  record OpType(String op, long micros, int nodes, long multiplyAdds) {}

  static Map<String, Object> run(Path model, int threads, int runs, OrtSession.SessionOptions.OptLevel graphOptimization)
      throws Exception {
    OrtEnvironment env = dev.ser.core.scoring.provider.OnnxRuntime.environment(); // on a large stack (stream-job README)
    Path trace;
    // the level the job's scorer uses unless one is asked for
    OrtSession.SessionOptions.OptLevel level = dev.ser.core.scoring.EmotionScorer.graphOptimization(graphOptimization);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setOptimizationLevel(level);
      Path dir = Files.createTempDirectory("ort-profile");
      options.enableProfiling(dir.resolve("ort").toString());
      try (OrtSession session = env.createSession(model.toString(), options)) {
        var input = session.getInputInfo().entrySet().iterator().next();
        long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape().clone();
        shape[0] = 1;
        int size = 1;
        for (long d : shape) {
          size *= (int) d;
        }
        float[] x = new float[size];
        Random random = new Random(3);
        for (int i = 0; i < size; i++) {
          x[i] = (float) random.nextGaussian() * 50;
        }
        for (int r = 0; r < runs; r++) {
          try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
              OrtSession.Result out = session.run(Map.of(input.getKey(), t))) {
            out.get(0);
          }
        }
        trace = Path.of(session.endProfiling());
      }
    }
    JsonNode events = new ObjectMapper().readTree(trace.toFile());
    Files.deleteIfExists(trace);
    Map<String, Object> out = summarise(events, runs);
    out.put("model", model.toString());
    out.put("threads", threads);
    out.put("graph_optimization", level.name());
    return out;
  }

  /** The trace's node events summed per operator type, largest first, and their arithmetic rates. */
  static Map<String, Object> summarise(JsonNode events, int runs) {
    Map<String, long[]> byType = new TreeMap<>(); // micros, node events, multiply-adds
    long total = 0;
    for (JsonNode e : events) {
      if (!"Node".equals(e.path("cat").asText()) || !e.path("name").asText().endsWith("_kernel_time")) {
        continue;
      }
      String op = e.path("args").path("op_name").asText("?");
      long micros = e.path("dur").asLong();
      long[] acc = byType.computeIfAbsent(op, k -> new long[3]);
      acc[0] += micros;
      acc[1]++;
      acc[2] += multiplyAdds(op, e.path("args"));
      total += micros;
    }
    List<OpType> types = new ArrayList<>();
    byType.forEach((op, a) -> types.add(new OpType(op, a[0], (int) (a[1] / runs), a[2] / runs)));
    types.sort(Comparator.comparingLong(OpType::micros).reversed());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runs", runs);
    out.put("operator_ms_per_run", total / 1000.0 / runs);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (OpType t : types) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("op", t.op());
      row.put("nodes", t.nodes());
      row.put("ms_per_run", t.micros() / 1000.0 / runs);
      row.put("share", total == 0 ? 0 : (double) t.micros() / total);
      if (t.multiplyAdds() > 0) {
        row.put("mega_multiply_adds", t.multiplyAdds() / 1e6);
        if (t.micros() > 0) {
          row.put("gflops", 2.0 * t.multiplyAdds() * runs / (t.micros() * 1e3));
        }
      }
      rows.add(row);
    }
    out.put("by_operator", rows);
    return out;
  }

  /**
   * Multiply-adds of one Conv, MatMul or Gemm node from its recorded shapes: output elements times
   * the weight's input channels and kernel ({@code prod(weight[1:])}) for a convolution, M x K x N for a
   * matrix product; 0 for anything else.
   */
  static long multiplyAdds(String op, JsonNode args) {
    List<long[]> in = shapes(args.path("input_type_shape"));
    List<long[]> outShapes = shapes(args.path("output_type_shape"));
    if (in.size() < 2 || outShapes.isEmpty()) {
      return 0;
    }
    long outElements = product(outShapes.get(0), 0);
    return switch (op) {
      case "Conv", "FusedConv" -> outElements * product(in.get(1), 1);
      case "MatMul", "Gemm", "FusedMatMul" -> {
        long[] a = in.get(0);
        yield outElements * a[a.length - 1];
      }
      default -> 0;
    };
  }

  private static List<long[]> shapes(JsonNode list) {
    List<long[]> out = new ArrayList<>();
    for (JsonNode entry : list) {
      JsonNode dims = entry.elements().hasNext() ? entry.elements().next() : null;
      if (dims == null || !dims.isArray()) {
        continue;
      }
      long[] s = new long[dims.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = dims.get(i).asLong();
      }
      out.add(s);
    }
    return out;
  }

  private static long product(long[] shape, int from) {
    long p = 1;
    for (int i = from; i < shape.length; i++) {
      p *= shape[i];
    }
    return p;
  }
}
