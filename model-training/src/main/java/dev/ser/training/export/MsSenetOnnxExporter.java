package dev.ser.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.model.MsSenet;
import dev.ser.training.model.TemporalAwareBlock;
import dev.ser.training.model.TimeFrequencyFusion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained {@link MsSenet} as an ONNX graph (opset 17) computing the same inference-mode
 * function, softmax included: input {@code mfcc} (N, frames, coefficients), output
 * {@code probabilities} (N, classes). Dropout is the identity at inference and is left out; batch
 * norm uses its running statistics.
 */
public final class MsSenetOnnxExporter {

  private final OnnxGraphBuilder g;
  private final ModelConfig config;

  private MsSenetOnnxExporter(OnnxGraphBuilder g, ModelConfig config) {
    this.g = g;
    this.config = config;
  }

  /**
   * The graph of {@code net} whose probabilities are softmax(logits / {@code temperature}): the
   * calibration fitted at training time is part of the model, so every consumer of the file gets
   * calibrated probabilities. A temperature of 1 leaves the division out.
   */
  public static ModelProto export(MsSenet net, ModelMetadata metadata, double temperature) {
    requireTemperature(temperature);
    ModelConfig c = requireLabels(net, metadata);
    OnnxGraphBuilder g = new OnnxGraphBuilder("ms_senet");
    String x = g.input(ModelMetadata.INPUT, null, (long) c.frames(), (long) c.coefficients());
    String logits = new MsSenetOnnxExporter(g, c).logits(net, x);
    if (temperature != 1) {
      logits = g.node("Div", logits, g.floats("temperature", new float[] {(float) temperature}));
    }
    g.nodeTo(ModelMetadata.OUTPUT, "Softmax", Map.of("axis", -1), logits);
    g.output(ModelMetadata.OUTPUT, null, (long) c.classes());
    return g.build(metadata.version(), metadata.toProperties());
  }

  /**
   * One graph for a seed ensemble: every member's network on the same input, each member's class
   * probabilities at temperature 1, their mean p, and softmax(log p / {@code temperature}) as the
   * output, so the temperature fitted on the ensemble's own out-of-fold predictions calibrates it
   * (a temperature of 1 outputs p itself). The members must share their input and classes.
   */
  public static ModelProto exportEnsemble(List<MsSenet> members, ModelMetadata metadata, double temperature) {
    requireTemperature(temperature);
    if (members.size() < 2) {
      throw new IllegalArgumentException("an ensemble needs at least two members, got " + members.size());
    }
    ModelConfig c = requireLabels(members.get(0), metadata);
    OnnxGraphBuilder g = new OnnxGraphBuilder("ms_senet_ensemble");
    String x = g.input(ModelMetadata.INPUT, null, (long) c.frames(), (long) c.coefficients());
    String[] probabilities = new String[members.size()];
    for (int m = 0; m < members.size(); m++) {
      ModelConfig mc = members.get(m).config();
      if (mc.frames() != c.frames() || mc.coefficients() != c.coefficients() || mc.classes() != c.classes()) {
        throw new IllegalArgumentException("member " + (m + 1) + " takes " + mc.frames() + " x " + mc.coefficients()
            + " and gives " + mc.classes() + " classes; member 1 " + c.frames() + " x " + c.coefficients() + " and "
            + c.classes());
      }
      probabilities[m] = g.node("Softmax", Map.of("axis", -1), new MsSenetOnnxExporter(g, mc).logits(members.get(m), x));
    }
    String mean = g.node("Mean", probabilities);
    if (temperature == 1) {
      g.nodeTo(ModelMetadata.OUTPUT, "Identity", Map.of(), mean);
    } else {
      String scaled = g.node("Div", g.node("Log", mean), g.floats("temperature", new float[] {(float) temperature}));
      g.nodeTo(ModelMetadata.OUTPUT, "Softmax", Map.of("axis", -1), scaled);
    }
    g.output(ModelMetadata.OUTPUT, null, (long) c.classes());
    return g.build(metadata.version(), metadata.toProperties());
  }

  private static void requireTemperature(double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive and finite, got " + temperature);
    }
  }

  private static ModelConfig requireLabels(MsSenet net, ModelMetadata metadata) {
    ModelConfig c = net.config();
    if (metadata.labels().size() != c.classes()) {
      throw new IllegalArgumentException(metadata.labels().size() + " labels for a model with " + c.classes() + " classes");
    }
    return c;
  }

  /** {@code net}'s logits (N, classes) on {@code x} (N, frames, coefficients), added to the graph. */
  private String logits(MsSenet net, String x) {
    ModelConfig c = config;
    if (c.normalizeInput()) {
      x = g.node("Div", g.node("Sub", x, weight(net.inputMean(), "input_mean")), weight(net.inputStd(), "input_std"));
    }
    // ONNX has no Flip: a Slice with step -1 over the time axis
    String reversed = g.node("Slice", x, g.longs("start", -1), g.longs("end", Long.MIN_VALUE + 1),
        g.longs("axis", 1), g.longs("step", -1));
    String[] paths = {x, reversed};
    for (int d = 0; d < 2; d++) {
      String fused = fusion(net.fusion(d), paths[d]);
      String sequence = g.node("Transpose", Map.of("perm", new long[] {0, 2, 1}), fused);
      paths[d] = conv(net.entry(d), sequence, Map.of());
    }
    List<String> pooled = new ArrayList<>();
    for (int j = 0; j < c.blocks(); j++) {
      for (int d = 0; d < 2; d++) {
        paths[d] = temporalBlock(net.block(d, j), paths[d]);
      }
      String sum = g.node("Add", paths[0], paths[1]);
      pooled.add(g.node("ReduceMean", Map.of("axes", new long[] {2}, "keepdims", 1), sum)); // (N, C, 1)
    }
    String stacked = g.node("Concat", Map.of("axis", 2), pooled.toArray(String[]::new)); // (N, C, n)
    String weights = weight(net.fusionWeights(), "dynamic_fusion");
    String combined = g.node("Squeeze", g.node("MatMul", stacked, weights), g.longs("axes", 2)); // (N, C)
    return dense(net.classifier(), combined);
  }

  /**
   * The time-frequency fusion, per branch: the joined (N, C, T, 3F) map of the three branches is
   * never built. Its channel mean is the mean of the three branches' means; the gate and the 1 x 1
   * merge fold into per-sample channel weights (merge weight x gate), applied to each branch as one
   * batched matrix product. The same function as joining, gating and merging (the DJL parity check
   * guards it), without three passes over the joined map that took over a third of inference time
   * (BENCHMARKS.md, section 2).
   */
  private String fusion(TimeFrequencyFusion f, String x) {
    String map = g.node("Unsqueeze", x, g.longs("axes", 1)); // (N, 1, T, F)
    int n = TimeFrequencyFusion.branches();
    String[] branches = new String[n];
    String pooled = null;
    for (int b = 0; b < n; b++) {
      long kt = TimeFrequencyFusion.kernel(b)[0];
      long kf = TimeFrequencyFusion.kernel(b)[1];
      String conv = conv(f.conv(b), map, Map.of("pads", new long[] {kt / 2, kf / 2, kt / 2, kf / 2}));
      branches[b] = g.node("Relu", batchNorm(f.norm(b), conv)); // (N, C, T, F)
      String mean = g.node("ReduceMean", Map.of("axes", new long[] {2, 3}, "keepdims", 0), branches[b]); // (N, C)
      pooled = pooled == null ? mean : g.node("Add", pooled, mean);
    }
    pooled = g.node("Div", pooled, g.floats("branches", new float[] {n}));
    String gate = g.node("Sigmoid", dense(f.excite(), g.node("Relu", dense(f.squeeze(), pooled)))); // (N, C)
    NDArray mergeWeight = param(f.merge(), "weight"); // (1, C, 1, 1)
    long channels = mergeWeight.getShape().get(1);
    String channelWeights = g.node("Unsqueeze", g.node("Mul", gate, g.floats("merge_w", mergeWeight.toFloatArray(),
        channels)), g.longs("axes", 1)); // (N, 1, C)
    String bias = weight(param(f.merge(), "bias"), "merge_b");
    String[] merged = new String[n + 1];
    for (int b = 0; b < n; b++) {
      String flat = g.node("Reshape", branches[b], g.longs("shape", 0, channels, -1)); // (N, C, T*F)
      String weighted = g.node("MatMul", channelWeights, flat); // (N, 1, T*F)
      String grid = g.node("Reshape", weighted, g.longs("shape", 0, config.frames(), config.coefficients()));
      merged[b] = g.node("Relu", g.node("Add", grid, bias)); // (N, T, F)
    }
    merged[n] = x;
    return g.node("Concat", Map.of("axis", 2), merged); // (N, T, 4F)
  }

  private String temporalBlock(TemporalAwareBlock t, String x) {
    String y = causalSubBlock(t, t.conv(1), t.norm(1), x);
    y = causalSubBlock(t, t.conv(2), t.norm(2), y);
    return g.node("Mul", x, g.node("Sigmoid", y));
  }

  private String causalSubBlock(TemporalAwareBlock t, Convolution conv, BatchNorm norm, String x) {
    String padded = g.node("Pad", Map.of("mode", "constant"), x, g.longs("pads", 0, 0, t.dilation(), 0, 0, 0));
    String y = conv(conv, padded, Map.of("dilations", new long[] {t.dilation()}));
    return g.node("Relu", batchNorm(norm, y));
  }

  private String conv(Convolution conv, String x, Map<String, Object> attributes) {
    NDArray w = param(conv, "weight");
    long[] shape = w.getShape().getShape();
    Map<String, Object> a = new java.util.HashMap<>(attributes);
    a.put("kernel_shape", java.util.Arrays.copyOfRange(shape, 2, shape.length));
    return g.node("Conv", a, x, weight(w, "conv_w"), weight(param(conv, "bias"), "conv_b"));
  }

  private String batchNorm(BatchNorm bn, String x) {
    // Layers.batchNorm: epsilon 1e-3 (Keras)
    return g.node("BatchNormalization", Map.of("epsilon", 1e-3f), x, weight(param(bn, "gamma"), "bn_gamma"),
        weight(param(bn, "beta"), "bn_beta"), weight(param(bn, "runningMean"), "bn_mean"),
        weight(param(bn, "runningVar"), "bn_var"));
  }

  private String dense(Linear linear, String x) {
    // DJL keeps the weight as (out, in): Gemm with transB
    return g.node("Gemm", Map.of("transB", 1), x, weight(param(linear, "weight"), "dense_w"),
        weight(param(linear, "bias"), "dense_b"));
  }

  private String weight(NDArray array, String hint) {
    return g.floats(hint, array.toFloatArray(), array.getShape().getShape());
  }

  private static NDArray param(Block block, String name) {
    var p = block.getParameters().get(name);
    if (p == null || !p.isInitialized()) {
      throw new IllegalStateException("parameter " + name + " of " + block + " is missing or not initialised");
    }
    return p.getArray();
  }
}
