package dev.ser.training.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.ser.training.model.EngineMemory;
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
   * Trains {@code model} on {@code x}/{@code y} with {@code options}. The model is the last epoch's
   * weights, or their average over the last part of training (SWA), and its batch-norm statistics
   * are always recomputed on the training data at the end (the running averages lag the weights).
   * If {@code heldOutX} is given, its accuracy is recorded every {@code evalEvery} epochs for the
   * learning curves, and for nothing else.
   */
  public static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x, int[] y,
      float[][] heldOutX, int[] heldOutY, Consumer<EpochStats> onEpoch) {
    return train(model, config, options, x, null, y, heldOutX, heldOutY, onEpoch);
  }

  /**
   * As above; {@code warped[i]} are warped versions of {@code x[i]} that the augmentation may train
   * on instead ({@link Augmentation#pick}), or {@code warped} is null.
   */
  public static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x,
      float[][][] warped, int[] y, float[][] heldOutX, int[] heldOutY, Consumer<EpochStats> onEpoch) {
    return train(model, config, options, x, warped, y, heldOutX, heldOutY, onEpoch, null);
  }

  /**
   * As above, distilled: each clip's target row is {@code (1 - w)} times its label-smoothed one-hot
   * row plus {@code w} times a teacher's class probabilities for it ({@link SoftTargets}), for every
   * version and augmentation of the clip; {@code soft} null trains on the labels alone.
   */
  public static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x,
      float[][][] warped, int[] y, SoftTargets soft, float[][] heldOutX, int[] heldOutY,
      Consumer<EpochStats> onEpoch) {
    return train(model, config, options, x, warped, y, null, soft, heldOutX, heldOutY, onEpoch, null);
  }

  /**
   * As above, with each clip's speaker ({@code speakers[i]}, an index below {@code config.speakers()})
   * for speaker-adversarial training ({@link TrainingOptions#speakerAdversarialWeight}); null without it.
   */
  public static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x,
      float[][][] warped, int[] y, int[] speakers, SoftTargets soft, float[][] heldOutX, int[] heldOutY,
      Consumer<EpochStats> onEpoch) {
    return train(model, config, options, x, warped, y, speakers, soft, heldOutX, heldOutY, onEpoch, null);
  }

  /**
   * As above, with {@code fault} called after every pass over the data, before the epoch is
   * checked: how tests break a model to see the epoch rolled back.
   */
  static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x,
      float[][][] warped, int[] y, float[][] heldOutX, int[] heldOutY, Consumer<EpochStats> onEpoch,
      EpochFault fault) {
    return train(model, config, options, x, warped, y, null, null, heldOutX, heldOutY, onEpoch, fault);
  }

  private static List<EpochStats> train(Model model, ModelConfig config, TrainingOptions options, float[][] x,
      float[][][] warped, int[] y, int[] speakers, SoftTargets soft, float[][] heldOutX, int[] heldOutY,
      Consumer<EpochStats> onEpoch, EpochFault fault) {
    if (soft != null && soft.probabilities().length != y.length) {
      throw new IllegalArgumentException(soft.probabilities().length + " soft target rows for " + y.length + " clips");
    }
    if (options.speakerAdversarial() != (speakers != null) || options.speakerAdversarial() != (config.speakers() > 0)) {
      throw new IllegalArgumentException("speaker-adversarial training needs the clips' speakers and a model with a"
          + " speaker head, and neither without it (weight " + options.speakerAdversarialWeight() + ", speakers "
          + (speakers == null ? "none" : speakers.length) + ", head " + config.speakers() + ")");
    }
    if (speakers != null && speakers.length != y.length) {
      throw new IllegalArgumentException(speakers.length + " speakers for " + y.length + " clips");
    }
    Engine.getInstance().setRandomSeed((int) options.seed());
    int stepsPerEpoch = 0;
    for (int from = 0; from < y.length; from += options.batchSize()) {
      stepsPerEpoch += Math.min(y.length, from + options.batchSize()) - from >= 2 ? 1 : 0;
    }
    int steps = Math.max(1, stepsPerEpoch);
    // DJL counts a parameter's updates from 1
    Tracker schedule = numUpdate -> options.learningRateAt(Math.max(0, numUpdate - 1), steps);
    Optimizer adam = Optimizer.adam().optLearningRateTracker(schedule)
        .optBeta1(options.beta1()).optBeta2(options.beta2()).optEpsilon(options.epsilon()).build();
    // labels arrive as smoothed one-hot rows, logits go through log-softmax inside the loss
    DefaultTrainingConfig trainingConfig =
        new DefaultTrainingConfig(new SoftmaxCrossEntropyLoss("smoothed_ce", 1f, -1, false, true)).optOptimizer(adam);
    List<EpochStats> curve = new ArrayList<>();
    int size = config.frames() * config.coefficients();
    try (Trainer trainer = model.newTrainer(trainingConfig)) {
      trainer.initialize(new Shape(options.batchSize(), config.frames(), config.coefficients()));
      if (options.initialization() == TrainingOptions.Initialization.KERAS) {
        ((MsSenet) model.getBlock()).initializeLikeKeras(trainer.getManager());
      }
      ((MsSenet) model.getBlock()).setInputStatistics(x);
      Random random = new Random(options.seed());
      Random augmentRandom = new Random(options.seed() ^ 0x5DEECE66DL);
      Random warpRandom = new Random(options.seed() ^ 0x7A3L); // its own, so runs without warping draw as before
      WeightAverage average = options.averaging() ? new WeightAverage(model.getBlock()) : null;
      int[] order = java.util.stream.IntStream.range(0, y.length).toArray();
      float[] classWeights = options.balanceClasses() ? classWeights(y, config.classes()) : null;
      EpochSnapshot lastHealthy = EpochSnapshot.take(model.getBlock(), adam);
      for (int epoch = 1; epoch <= options.epochs(); epoch++) {
        long start = System.nanoTime();
        EpochAttempt a = null;
        String failure = null;
        int rolledBack = 0;
        while (true) {
          a = trainEpoch(trainer, model, config, options, x, warped, y, speakers, options.adversaryStrength(epoch),
              soft, classWeights, order, random, augmentRandom, warpRandom, size);
          if (fault != null) {
            fault.afterEpoch(epoch, rolledBack, model);
          }
          EpochSnapshot end = EpochSnapshot.take(model.getBlock(), adam);
          String nonFinite = end.nonFinite();
          String broken = a.batches > 0 && a.skipped == a.batches
              ? String.format(java.util.Locale.ROOT, "none of its %d batches had a finite loss and finite gradients"
                  + " (%s)", a.batches, nonFinite == null ? "every weight and Adam moment finite" : nonFinite)
              : nonFinite;
          if (broken == null) {
            lastHealthy = end;
            break;
          }
          if (rolledBack == MAX_ROLLBACKS) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "training diverged in epoch %d of"
                + " %d: %s (largest gradient norm in the epoch before: %s), after %d rollback(s) to the end of the"
                + " epoch before; try --clip-gradient-norm or a lower --learning-rate", epoch, options.epochs(),
                broken, curve.isEmpty() ? "none" : String.format(java.util.Locale.ROOT, "%.4g",
                    curve.get(curve.size() - 1).maxGradientNorm()), rolledBack));
          }
          // put back the weights, batch-norm statistics and Adam state of the last healthy epoch and draw the
          // epoch again (new order, new augmentation): one broken epoch no longer ends the fold
          lastHealthy.restore(model.getBlock(), adam);
          failure = broken;
          rolledBack++;
        }
        int skipped = a.skipped;
        int clipped = a.clipped;
        double maxNorm = a.maxNorm;
        double lossSum = a.lossSum;
        int seen = a.seen;
        int correct = a.correct;
        if (average != null && epoch >= options.firstAveragedEpoch()) {
          average.add();
        }
        double heldOut = Double.NaN;
        boolean evaluate = options.evalEvery() > 0 && (epoch % options.evalEvery() == 0 || epoch == options.epochs());
        if (heldOutX != null && heldOutX.length > 0 && evaluate) {
          // an evaluation with running statistics early in training measures the statistics, not the weights
          recomputeBatchNormStatistics(model, config, x, options.batchSize());
          heldOut = accuracy(predict(model, config, heldOutX), heldOutY);
        }
        EpochStats stats = new EpochStats(epoch, lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen),
            heldOut, (System.nanoTime() - start) / 1e9, skipped, maxNorm, clipped, rolledBack, failure);
        curve.add(stats);
        if (onEpoch != null) {
          onEpoch.accept(stats);
        }
      }
      if (average != null) {
        average.applyTo(model.getBlock());
      }
      recomputeBatchNormStatistics(model, config, x, options.batchSize());
    }
    return curve;
  }

  /** Limit of consecutive rollbacks of one epoch before training gives up. */
  static final int MAX_ROLLBACKS = 3;

  /** What one pass over the training data did. */
  private static final class EpochAttempt {
    double lossSum;
    int batches;
    int skipped;
    int clipped;
    double maxNorm = Double.NaN;
    int correct;
    int seen;
  }

  /** A test's way to break training after an epoch (epoch number, rollbacks so far): the rollback's trigger. */
  @FunctionalInterface
  interface EpochFault {
    void afterEpoch(int epoch, int rolledBack, Model model);
  }

  private static EpochAttempt trainEpoch(Trainer trainer, Model model, ModelConfig config, TrainingOptions options,
      float[][] x, float[][][] warped, int[] y, int[] speakers, float adversaryStrength, SoftTargets soft,
      float[] classWeights, int[] order, Random random, Random augmentRandom, Random warpRandom, int size) {
    Augmentation augmentation = options.augmentation();
    shuffle(order, random);
    EpochAttempt a = new EpochAttempt();
    for (int from = 0; from < order.length; from += options.batchSize()) {
      int to = Math.min(order.length, from + options.batchSize());
      if (to - from < 2) {
        continue; // batch norm cannot train on a single example
      }
      a.batches++;
      try (NDManager batch = trainer.getManager().newSubManager()) {
        int[] rows = java.util.Arrays.copyOfRange(order, from, to);
        float[] inputs = new float[rows.length * size];
        float[] targets = smoothedOneHot(y, rows, config.classes(), options.labelSmoothing(), classWeights);
        if (soft != null) {
          soft.mixInto(targets, rows, classWeights == null ? null : y, classWeights);
        }
        for (int r = 0; r < rows.length; r++) {
          float[] clip = warped == null ? x[rows[r]] : augmentation.pick(x[rows[r]], warped[rows[r]], warpRandom);
          float[] row = augmentation.isNone() ? clip : augmentation.apply(clip, config.frames(),
              config.coefficients(), augmentRandom);
          checkSize(row, rows[r], config);
          System.arraycopy(row, 0, inputs, r * size, size);
        }
        if (augmentation.mixupAlpha() > 0) {
          mixup(inputs, targets, rows.length, size, config.classes(), augmentation, augmentRandom);
        }
        NDArray input = EngineMemory.create(batch, inputs, new Shape(rows.length, config.frames(), config.coefficients()));
        NDArray target = EngineMemory.create(batch, targets, new Shape(rows.length, config.classes()));
        try (GradientCollector collector = trainer.newGradientCollector()) {
          NDList outputs = trainer.forward(new NDList(input)); // with a speaker head: emotion, head, confusion logits
          NDArray logits = outputs.get(0);
          NDArray loss = trainer.getLoss().evaluate(new NDList(target), new NDList(logits));
          float value = loss.getFloat(); // the emotion loss alone, for the curves
          if (speakers != null) {
            loss = loss.add(adversarialLoss(outputs.get(1), outputs.get(2), speakers, rows, config.speakers(),
                adversaryStrength, batch).mul(options.speakerAdversarialWeight()));
            value = Float.isFinite(loss.getFloat()) ? value : Float.NaN; // a non-finite total skips the batch too
          }
          if (!Float.isFinite(value)) {
            // one overflow would turn every weight into NaN for good (LOSO v2 fold 10 did, at epoch 144):
            // no update from this batch; the epoch's statistics count it
            a.skipped++;
            continue;
          }
          // PyTorch adds to the gradients already there; cleared here rather than by DJL, which subtracts each
          // gradient from itself: an infinite or NaN one stayed NaN, every later batch was skipped, and folds
          // of recipe versions 2 and 4 were lost that way ("none of its batches had a finite loss and finite
          // gradients" with every weight finite)
          clearGradients(model);
          collector.backward(loss);
          double norm = gradientNorm(model);
          if (!Double.isFinite(norm)) {
            clearGradients(model);
            a.skipped++;
            continue;
          }
          a.maxNorm = Double.isNaN(a.maxNorm) ? norm : Math.max(a.maxNorm, norm);
          if (options.clipsGradients() && norm > options.clipGradientNorm()) {
            // Adam divides by the root of the squared gradients' running mean, so a uniform scale of every
            // batch would change nothing: only a batch far above the rest is tamed
            scaleGradients(model, options.clipGradientNorm() / norm);
            a.clipped++;
          }
          a.lossSum += value * rows.length;
          a.seen += rows.length;
          int[] predicted = argmax(logits);
          for (int r = 0; r < rows.length; r++) {
            a.correct += predicted[r] == y[rows[r]] ? 1 : 0;
          }
        }
        trainer.step();
      }
    }
    return a;
  }

  /**
   * The speaker head's loss: cross-entropy of its logits (trained on, the network below untouched)
   * against the clips' speakers, plus {@code strength} times the cross-entropy of the frozen head's
   * logits (the network below trained on, the head untouched) against the uniform distribution, which
   * is least when the head cannot tell the speakers apart.
   */
  static NDArray adversarialLoss(NDArray headLogits, NDArray frozenHeadLogits, int[] speakers, int[] rows, int count,
      float strength, NDManager manager) {
    float[] oneHot = new float[rows.length * count];
    for (int r = 0; r < rows.length; r++) {
      oneHot[r * count + speakers[rows[r]]] = 1f;
    }
    NDArray target = EngineMemory.create(manager, oneHot, new Shape(rows.length, count));
    NDArray head = headLogits.logSoftmax(1).mul(target).sum(new int[] {1}).neg().mean();
    NDArray confusion = frozenHeadLogits.logSoftmax(1).mean(new int[] {1}).neg().mean();
    return head.add(confusion.mul(strength));
  }

  /**
   * The L2 norm of all gradients together, summed in double precision so a large but finite
   * gradient does not overflow; NaN or infinite when any gradient is.
   */
  static double gradientNorm(Model model) {
    double sum = 0;
    for (var p : model.getBlock().getParameters()) {
      NDArray a = p.getValue().getArray();
      if (a.hasGradient()) {
        try (NDArray g = a.getGradient(); NDArray d = g.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
            NDArray squares = d.square(); NDArray s = squares.sum()) {
          sum += s.getDouble();
        }
      }
    }
    return Math.sqrt(sum);
  }

  /** Sets every gradient to zero, whatever it held (NaN and infinities included). */
  static void clearGradients(Model model) {
    for (var p : model.getBlock().getParameters()) {
      NDArray a = p.getValue().getArray();
      if (a.hasGradient()) {
        try (NDArray g = a.getGradient()) {
          inPlace(g, v -> v.set(new ai.djl.ndarray.index.NDIndex("..."), 0f)); // the wrapper shares the gradient's storage
        }
      }
    }
  }

  /** Scales every gradient down to {@code limit} when their norm is above it; returns the norm before. */
  static double clipGradients(Model model, float limit) {
    double norm = gradientNorm(model);
    if (norm > limit) {
      scaleGradients(model, limit / norm);
    }
    return norm;
  }

  private static void scaleGradients(Model model, double factor) {
    for (var p : model.getBlock().getParameters()) {
      NDArray a = p.getValue().getArray();
      if (a.hasGradient()) {
        try (NDArray g = a.getGradient()) {
          inPlace(g, v -> v.muli((float) factor)); // the wrapper shares the gradient's storage
        }
      }
    }
  }

  /**
   * Sets every batch norm's running mean and variance to the statistics of {@code x} under the
   * current weights: a training-mode pass without dropout, from zeroed statistics, with the
   * exponential average's start-up bias divided out.
   */
  public static void recomputeBatchNormStatistics(Model model, ModelConfig config, float[][] x, int batchSize) {
    List<BatchNorm> norms = new ArrayList<>();
    collectBatchNorms(model.getBlock(), norms);
    for (BatchNorm bn : norms) {
      for (String name : new String[] {"runningMean", "runningVar"}) {
        NDArray a = bn.getParameters().get(name).getArray();
        EngineMemory.assign(a, new float[(int) a.size()]);
      }
    }
    int updates = 0;
    try (NDManager manager = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(manager, false);
      for (int from = 0; from < x.length; from += batchSize) {
        int to = Math.min(x.length, from + batchSize);
        if (to - from < 2) {
          continue;
        }
        int[] rows = java.util.stream.IntStream.range(from, to).toArray();
        try (NDManager batch = manager.newSubManager()) {
          NDArray input = EngineMemory.create(batch, stack(x, rows, config), new Shape(rows.length, config.frames(),
              config.coefficients()));
          model.getBlock().forward(ps, new NDList(input), true, MsSenet.withoutDropout());
        }
        updates++;
      }
    }
    if (updates == 0) {
      throw new IllegalArgumentException("need at least 2 clips to compute batch-norm statistics, got " + x.length);
    }
    // running = m * running + (1 - m) * batch from 0 leaves (1 - m^k) of the weight on the batches
    float debias = (float) (1 / (1 - Math.pow(MsSenet.BATCH_NORM_MOMENTUM, updates)));
    for (BatchNorm bn : norms) {
      inPlace(bn.getParameters().get("runningMean").getArray(), v -> v.muli(debias));
      inPlace(bn.getParameters().get("runningVar").getArray(), v -> v.muli(debias));
    }
  }

  /**
   * Applies the in-place {@code op} to {@code target} through a view in a scratch manager. Why: DJL
   * turns a number in {@code set(index, 0f)} or {@code muli(2f)} into a scalar tensor owned by the
   * receiver's manager, and a parameter's or gradient's manager is the model's, so every step left
   * about a hundred scalars behind for the model's life ({@code TrainingMemoryTest}); the view's are
   * freed here. The view shares {@code target}'s storage.
   */
  private static void inPlace(NDArray target, java.util.function.Consumer<NDArray> op) {
    try (NDManager scratch = target.getManager().newSubManager()) {
      NDArray view = target.reshape(target.getShape());
      view.attach(scratch);
      op.accept(view);
    }
  }

  private static void collectBatchNorms(Block block, List<BatchNorm> out) {
    if (block instanceof BatchNorm bn) {
      out.add(bn);
    }
    for (var child : block.getChildren()) {
      collectBatchNorms(child.getValue(), out);
    }
  }

  /** Mixes each clip of the batch with a partner from a random permutation, inputs and targets alike. */
  static void mixup(float[] inputs, float[] targets, int n, int size, int classes, Augmentation augmentation,
      Random random) {
    int[] partner = java.util.stream.IntStream.range(0, n).toArray();
    shuffle(partner, random);
    float[] x0 = inputs.clone();
    float[] t0 = targets.clone();
    for (int r = 0; r < n; r++) {
      float w = augmentation.mixupWeight(random);
      int p = partner[r];
      for (int i = 0; i < size; i++) {
        inputs[r * size + i] = w * x0[r * size + i] + (1 - w) * x0[p * size + i];
      }
      for (int k = 0; k < classes; k++) {
        targets[r * classes + k] = w * t0[r * classes + k] + (1 - w) * t0[p * classes + k];
      }
    }
  }

  static double accuracy(int[] predicted, int[] truth) {
    int right = 0;
    for (int i = 0; i < predicted.length; i++) {
      right += predicted[i] == truth[i] ? 1 : 0;
    }
    return (double) right / predicted.length;
  }

  private static void checkSize(float[] row, int index, ModelConfig config) {
    if (row.length != config.frames() * config.coefficients()) {
      throw new IllegalArgumentException("example " + index + " has " + row.length + " values, the model"
          + " takes " + config.frames() + " x " + config.coefficients());
    }
  }

  /** Class probabilities (softmax of the logits), inference mode, in batches of 64. */
  public static float[][] probabilities(Model model, ModelConfig config, float[][] x) {
    float[][] logits = logits(model, config, x);
    for (float[] row : logits) {
      dev.ser.training.eval.Calibration.softmaxInPlace(row, 1);
    }
    return logits;
  }

  /** Class logits (before softmax), inference mode, in batches of 64. */
  public static float[][] logits(Model model, ModelConfig config, float[][] x) {
    float[][] out = new float[x.length][];
    try (NDManager manager = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(manager, false);
      for (int from = 0; from < x.length; from += 64) {
        int to = Math.min(x.length, from + 64);
        int[] rows = java.util.stream.IntStream.range(from, to).toArray();
        try (NDManager batch = manager.newSubManager()) {
          NDArray input = EngineMemory.create(batch, stack(x, rows, config), new Shape(rows.length, config.frames(),
              config.coefficients()));
          NDArray probs = model.getBlock().forward(ps, new NDList(input), false).singletonOrThrow();
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
      checkSize(x[rows[r]], rows[r], config);
      System.arraycopy(x[rows[r]], 0, flat, r * size, size);
    }
    return flat;
  }

  /** One-hot rows with smoothing: (1 - e) on the true class plus e / K everywhere. */
  static float[] smoothedOneHot(int[] y, int[] rows, int classes, float smoothing) {
    return smoothedOneHot(y, rows, classes, smoothing, null);
  }

  /**
   * Label-smoothed one-hot rows, each scaled by its class's weight when {@code weights} is given:
   * the cross-entropy of a row is linear in it, so this weights the clip's loss.
   */
  static float[] smoothedOneHot(int[] y, int[] rows, int classes, float smoothing, float[] weights) {
    float[] out = new float[rows.length * classes];
    for (int r = 0; r < rows.length; r++) {
      float w = weights == null ? 1f : weights[y[rows[r]]];
      for (int c = 0; c < classes; c++) {
        out[r * classes + c] = w * (smoothing / classes + (c == y[rows[r]] ? 1f - smoothing : 0f));
      }
    }
    return out;
  }

  /**
   * {@code n / (k * n_c)} for each class c with n_c of the n clips, k the classes present: the weights
   * average 1 over the clips, so the loss keeps its scale; a class without clips gets 0.
   */
  static float[] classWeights(int[] y, int classes) {
    int[] counts = new int[classes];
    for (int label : y) {
      counts[label]++;
    }
    int present = 0;
    for (int n : counts) {
      present += n > 0 ? 1 : 0;
    }
    float[] weights = new float[classes];
    for (int c = 0; c < classes; c++) {
      weights[c] = counts[c] == 0 ? 0f : (float) ((double) y.length / ((double) present * counts[c]));
    }
    return weights;
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
