package dev.ser.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.train.MsSenetTrainer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Utterances per second and per-batch latency of the exported model in ONNX Runtime, and of the
 * same network (same configuration, random weights: speed does not depend on their values) in
 * DJL's PyTorch engine, for batch sizes 1, 8, 32, 128, with the same number of threads; plus the
 * model's floating-point operations per utterance and the CPU's measured matrix-multiply peak.
 */
final class InferenceBench {

  static final int[] BATCHES = {1, 8, 32, 128};

  /**
   * Multiply-adds of one MS-SENet forward pass, counted layer by layer (convolutions and dense
   * layers; batch norm, activations and pooling are linear in the activations and left out).
   */
  static long multiplyAdds(ModelConfig c) {
    long t = c.frames();
    long f = c.coefficients();
    long k = c.filters();
    long fusion = t * f * k * (11 + 9 + 9)   // three time-frequency convolutions, one input channel
        + t * 3 * f * k                       // 1x1 merge of the joined maps to one channel
        + 2 * k * k;                          // squeeze-excitation dense layers
    long entry = t * 4 * f * k;               // 1x1 Conv1d from the 4F fused features to K channels
    long temporal = (long) c.blocks() * 2 * t * k * k * 2; // per block two causal convolutions, kernel 2
    return 2 * (fusion + entry + temporal) + (long) c.blocks() * c.classes();
  }

  static Map<String, Object> run(Path modelFile, int threads, double secondsPerPoint,
      ai.onnxruntime.OrtSession.SessionOptions.OptLevel graphOptimization) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("threads", threads);
    out.put("graph_optimization", EmotionScorer.graphOptimization(graphOptimization).name());
    try (EmotionScorer scorer = EmotionScorer.open(modelFile, InferenceDevice.CPU, threads, graphOptimization)) {
      int frames = scorer.metadata().features().frameCount(0);
      int coefficients = scorer.metadata().features().nMfcc();
      ModelConfig config = ModelConfig.reference(frames, coefficients, scorer.metadata().labels().size());
      long macs = multiplyAdds(config);
      out.put("model_flops_per_utterance", 2 * macs);
      float[] signal = new float[scorer.metadata().features().fixedLength()];
      Random random = new Random(3);
      for (int i = 0; i < signal.length; i++) {
        signal[i] = (float) (0.1 * random.nextGaussian());
      }
      MfccMatrix m = scorer.extractor().extract(signal);
      Map<String, Object> ort = new LinkedHashMap<>();
      for (int b : BATCHES) {
        List<MfccMatrix> batch = Collections.nCopies(b, m);
        ort.put("batch_" + b, measure(b, secondsPerPoint, () -> scorer.probabilities(batch)));
      }
      out.put("onnxruntime", ort);

      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
      try (Model model = MsSenetTrainer.newModel(config); NDManager manager = NDManager.newBaseManager()) {
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, frames, coefficients));
        ParameterStore ps = new ParameterStore(manager, false);
        Map<String, Object> djl = new LinkedHashMap<>();
        float[] one = m.data();
        for (int b : BATCHES) {
          float[] input = new float[b * one.length];
          for (int i = 0; i < b; i++) {
            System.arraycopy(one, 0, input, i * one.length, one.length);
          }
          djl.put("batch_" + b, measure(b, secondsPerPoint, () -> {
            try (NDManager step = manager.newSubManager()) {
              NDArray x = step.create(input, new Shape(b, frames, coefficients));
              model.getBlock().forward(ps, new NDList(x), false).singletonOrThrow().softmax(-1).toFloatArray();
            }
          }));
        }
        out.put("djl_pytorch", djl);
        out.put("peak_gflops_sgemm_1024", peakGflops(manager));
      }
    }
    return out;
  }

  interface Step {
    void run() throws Exception;
  }

  static Map<String, Object> measure(int batch, double seconds, Step step) throws Exception {
    for (int i = 0; i < 3; i++) {
      step.run();
    }
    Stats latency = new Stats();
    long start = System.nanoTime();
    int n = 0;
    while (System.nanoTime() - start < seconds * 1e9 || n < 3) {
      long t0 = System.nanoTime();
      step.run();
      latency.add((System.nanoTime() - t0) / 1e6);
      n++;
    }
    double wall = (System.nanoTime() - start) / 1e9;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("utterances_per_second", n * batch / wall);
    r.put("batch_latency_ms_p50", latency.percentile(0.5));
    r.put("batch_latency_ms_p99", latency.percentile(0.99));
    return r;
  }

  /** Single-precision matrix multiply 1024 x 1024 x 1024 in PyTorch (MKL/oneDNN): a practical peak. */
  static double peakGflops(NDManager manager) {
    try (NDManager m = manager.newSubManager()) {
      NDArray a = m.randomNormal(new Shape(1024, 1024));
      NDArray b = m.randomNormal(new Shape(1024, 1024));
      for (int i = 0; i < 3; i++) {
        a.matMul(b).close();
      }
      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - start < 2e9) {
        a.matMul(b).close();
        n++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return n * 2.0 * 1024 * 1024 * 1024 / seconds / 1e9;
    }
  }
}
