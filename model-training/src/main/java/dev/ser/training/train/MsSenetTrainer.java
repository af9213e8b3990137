package dev.ser.training.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.model.MsSenet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains an MS-SENet on MFCC matrices with DJL's PyTorch engine. The caller owns the {@link Model}
 * ({@code try (Model model = MsSenetTrainer.newModel(...))}); this class only fills its weights.
 * The last epoch's weights are kept: no epoch is ever chosen by looking at held-out data.
 */
public final class MsSenetTrainer {

  private MsSenetTrainer() {}

  public static Model newModel(ModelConfig config) {
    Model model = Model.newInstance("ms-senet");
    model.setBlock(new MsSenet(config));
    return model;
  }

  /**
   * Trains {@code model} on {@code x}/{@code y}. If {@code heldOutX} is given, its accuracy is
   * recorded per epoch for the learning curves, and for nothing else.
   */
  public static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x, int[] y,
      float[][] heldOutX, int[] heldOutY, Consumer<EpochStats> onEpoch) {
    Engine.getInstance().setRandomSeed((int) options.seed());
    Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(options.learningRate()))
        .optBeta1(options.beta1()).optBeta2(options.beta2()).optEpsilon(1e-7f).build();
    // labels arrive as smoothed one-hot rows, logits go through log-softmax inside the loss
    DefaultTrainingConfig trainingConfig =
        new DefaultTrainingConfig(new SoftmaxCrossEntropyLoss("smoothed_ce", 1f, -1, false, true)).optOptimizer(adam);
    List<EpochStats> curve = new ArrayList<>();
    try (Trainer trainer = model.newTrainer(trainingConfig)) {
      trainer.initialize(new Shape(options.batchSize(), config.frames(), config.coefficients()));
      Random random = new Random(options.seed());
      int[] order = java.util.stream.IntStream.range(0, y.length).toArray();
      for (int epoch = 1; epoch <= options.epochs(); epoch++) {
        long start = System.nanoTime();
        shuffle(order, random);
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < order.length; from += options.batchSize()) {
          int to = Math.min(order.length, from + options.batchSize());
          if (to - from < 2) {
            continue; // batch norm cannot train on a single example
          }
          try (NDManager batch = trainer.getManager().newSubManager()) {
            int[] rows = java.util.Arrays.copyOfRange(order, from, to);
            NDArray input = batch.create(stack(x, rows, config), new Shape(rows.length, config.frames(), config.coefficients()));
            NDArray target = batch.create(smoothedOneHot(y, rows, config.classes(), options.labelSmoothing()),
                new Shape(rows.length, config.classes()));
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
              NDArray loss = trainer.getLoss().evaluate(new NDList(target), new NDList(logits));
              collector.backward(loss);
              lossSum += loss.getFloat() * rows.length;
              int[] predicted = argmax(logits);
              for (int r = 0; r < rows.length; r++) {
                correct += predicted[r] == y[rows[r]] ? 1 : 0;
              }
            }
            trainer.step();
          }
        }
        double heldOut = Double.NaN;
        if (heldOutX != null && heldOutX.length > 0) {
          int[] p = predict(model, config, heldOutX);
          int right = 0;
          for (int i = 0; i < p.length; i++) {
            right += p[i] == heldOutY[i] ? 1 : 0;
          }
          heldOut = (double) right / p.length;
        }
        EpochStats stats = new EpochStats(epoch, lossSum / y.length, (double) correct / y.length, heldOut,
            (System.nanoTime() - start) / 1e9);
        curve.add(stats);
        if (onEpoch != null) {
          onEpoch.accept(stats);
        }
      }
    }
    return curve;
  }

  /** Class probabilities (softmax of the logits), inference mode, in batches of 64. */
  public static float[][] probabilities(Model model, ModelConfig config, float[][] x) {
    float[][] out = new float[x.length][];
    try (NDManager manager = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(manager, false);
      for (int from = 0; from < x.length; from += 64) {
        int to = Math.min(x.length, from + 64);
        int[] rows = java.util.stream.IntStream.range(from, to).toArray();
        try (NDManager batch = manager.newSubManager()) {
          NDArray input = batch.create(stack(x, rows, config), new Shape(rows.length, config.frames(), config.coefficients()));
          NDArray probs = model.getBlock().forward(ps, new NDList(input), false).singletonOrThrow().softmax(-1);
          float[] flat = probs.toFloatArray();
          for (int r = 0; r < rows.length; r++) {
            out[from + r] = java.util.Arrays.copyOfRange(flat, r * config.classes(), (r + 1) * config.classes());
          }
        }
      }
    }
    return out;
  }

  public static int[] predict(Model model, ModelConfig config, float[][] x) {
    float[][] p = probabilities(model, config, x);
    int[] out = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = argmax(p[i]);
    }
    return out;
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int[] argmax(NDArray logits) {
    long[] idx = logits.argMax(1).toLongArray();
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = (int) idx[i];
    }
    return out;
  }

  private static float[] stack(float[][] x, int[] rows, ModelConfig config) {
    int size = config.frames() * config.coefficients();
    float[] flat = new float[rows.length * size];
    for (int r = 0; r < rows.length; r++) {
      if (x[rows[r]].length != size) {
        throw new IllegalArgumentException("example " + rows[r] + " has " + x[rows[r]].length + " values, the model"
            + " takes " + config.frames() + " x " + config.coefficients());
      }
      System.arraycopy(x[rows[r]], 0, flat, r * size, size);
    }
    return flat;
  }

  /** One-hot rows with smoothing: (1 - e) on the true class plus e / K everywhere. */
  static float[] smoothedOneHot(int[] y, int[] rows, int classes, float smoothing) {
    float[] out = new float[rows.length * classes];
    java.util.Arrays.fill(out, smoothing / classes);
    for (int r = 0; r < rows.length; r++) {
      out[r * classes + y[rows[r]]] += 1f - smoothing;
    }
    return out;
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
