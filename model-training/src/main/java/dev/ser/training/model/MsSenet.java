package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * MS-SENet (arXiv 2312.11974) on TIM-Net: input (N, T, F) MFCCs, output (N, classes) logits.
 *
 * <p>Forward path: time-frequency fusion, a 1x1 convolution to {@code filters} channels, then
 * the temporal-aware blocks with dilations 1, 2, 4, ... The backward path does the same, with its
 * own weights, on the time-reversed input. After block j the two paths are added and averaged over
 * time; the n pooled vectors are combined with learned weights (dynamic fusion) and a dense layer
 * gives the class logits (softmax is applied by the loss and by the exported ONNX graph).
 */
public final class MsSenet extends AbstractBlock {

  /** Keras' batch-norm momentum: running = 0.99 * running + 0.01 * batch. */
  public static final float BATCH_NORM_MOMENTUM = 0.99f;

  private final ModelConfig config;
  final TimeFrequencyFusion[] fusion = new TimeFrequencyFusion[2];
  final Conv1d[] entry = new Conv1d[2];
  final List<TemporalAwareBlock[]> blocks = new ArrayList<>(); // [direction][j]
  final Parameter fusionWeights;
  final Linear classifier;
  final Linear speakerHead; // null unless config.speakers() > 0
  final Parameter inputMean; // null unless config.normalizeInput()
  final Parameter inputStd;

  public MsSenet(ModelConfig config) {
    super((byte) 1);
    this.config = config;
    String[] names = {"forward", "backward"};
    for (int d = 0; d < 2; d++) {
      fusion[d] = addChildBlock(names[d] + "_fusion", new TimeFrequencyFusion(config));
      entry[d] = addChildBlock(names[d] + "_entry",
          Conv1d.builder().setKernelShape(new Shape(1)).setFilters(config.filters()).build());
      TemporalAwareBlock[] path = new TemporalAwareBlock[config.blocks()];
      for (int j = 0; j < config.blocks(); j++) {
        path[j] = addChildBlock(names[d] + "_tab" + j, new TemporalAwareBlock(config, 1 << j));
      }
      blocks.add(path);
    }
    fusionWeights = addParameter(Parameter.builder().setName("dynamic_fusion").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(config.blocks(), 1)).optInitializer(new UniformInitializer(0.05f)).build());
    classifier = addChildBlock("classifier", Linear.builder().setUnits(config.classes()).build());
    if (config.normalizeInput()) {
      // statistics, not weights: set from the training data, never trained
      inputMean = addParameter(Parameter.builder().setName("input_mean").setType(Parameter.Type.RUNNING_MEAN)
          .optShape(new Shape(config.coefficients())).optRequiresGrad(false).build());
      inputStd = addParameter(Parameter.builder().setName("input_std").setType(Parameter.Type.RUNNING_VAR)
          .optShape(new Shape(config.coefficients())).optRequiresGrad(false).build());
    } else {
      inputMean = null;
      inputStd = null;
    }
    // last, so that a model without it draws its initial weights as before
    speakerHead = config.speakers() == 0 ? null
        : addChildBlock("speaker_adversary", Linear.builder().setUnits(config.speakers()).build());
  }

  /**
   * Sets the input standardisation to each coefficient's mean and standard deviation over every
   * frame of {@code x} (row-major frames x coefficients matrices). A no-op without normalizeInput.
   */
  public void setInputStatistics(float[][] x) {
    if (inputMean == null) {
      return;
    }
    int k = config.coefficients();
    double[] sum = new double[k];
    double[] sumSq = new double[k];
    long frames = 0;
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        sum[i % k] += row[i];
        sumSq[i % k] += (double) row[i] * row[i];
      }
      frames += row.length / k;
    }
    float[] mean = new float[k];
    float[] std = new float[k];
    for (int c = 0; c < k; c++) {
      double m = sum[c] / frames;
      mean[c] = (float) m;
      std[c] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, sumSq[c] / frames - m * m)));
    }
    EngineMemory.assign(inputMean.getArray(), mean);
    EngineMemory.assign(inputStd.getArray(), std);
  }

  public ModelConfig config() {
    return config;
  }

  // read-only views for the ONNX exporter (dev.ser.training.export)

  /** Direction 0 is forward, 1 the time-reversed path. */
  public TimeFrequencyFusion fusion(int direction) {
    return fusion[direction];
  }

  public Conv1d entry(int direction) {
    return entry[direction];
  }

  public TemporalAwareBlock block(int direction, int j) {
    return blocks.get(direction)[j];
  }

  /** The (blocks, 1) dynamic-fusion weights. */
  public NDArray fusionWeights() {
    return fusionWeights.getArray();
  }

  public Linear classifier() {
    return classifier;
  }

  /** The input standardisation's mean and standard deviation per coefficient; null without normalizeInput. */
  public NDArray inputMean() {
    return inputMean == null ? null : inputMean.getArray();
  }

  public NDArray inputStd() {
    return inputStd == null ? null : inputStd.getArray();
  }

  /**
   * Glorot-uniform kernels and zero biases, as the reference's Keras layers start; batch norm
   * starts at gamma 1, beta 0, mean 0, variance 1, the dynamic fusion weights keep their uniform
   * +-0.05. Replaces what DJL initialised (He-normal kernels). Draws from the engine's seeded generator.
   */
  public void initializeLikeKeras(NDManager manager) {
    for (var p : getParameters()) {
      Parameter parameter = p.getValue();
      NDArray array = parameter.getArray();
      Shape shape = array.getShape();
      if (parameter == fusionWeights || parameter == inputMean || parameter == inputStd) {
        continue; // keeps its own initialiser; statistics are set from the data
      }
      switch (parameter.getType()) {
        case WEIGHT -> {
          float limit = (float) Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)));
          try (NDArray fresh = manager.randomUniform(-limit, limit, shape, array.getDataType())) {
            array.set(new ai.djl.ndarray.index.NDIndex("..."), fresh); // copied: the storage stays the engine's
          }
        }
        case BIAS, BETA, RUNNING_MEAN -> EngineMemory.assign(array, new float[(int) shape.size()]);
        case GAMMA, RUNNING_VAR -> {
          float[] ones = new float[(int) shape.size()];
          java.util.Arrays.fill(ones, 1f);
          EngineMemory.assign(array, ones);
        }
        default -> throw new IllegalStateException("no Keras initialiser for parameter " + p.getKey() + " of type "
            + parameter.getType());
      }
    }
  }

  /** Keras' fans: (out, in, k...) kernels: in * prod(k) and out * prod(k); dense (out, in): in and out. */
  static double fanIn(Shape shape) {
    return shape.get(1) * receptiveField(shape);
  }

  static double fanOut(Shape shape) {
    return shape.get(0) * receptiveField(shape);
  }

  private static double receptiveField(Shape shape) {
    double r = 1;
    for (int i = 2; i < shape.dimension(); i++) {
      r *= shape.get(i);
    }
    return r;
  }

  /**
   * Forward parameters for a training-mode pass without dropout: batch norm normalises by batch
   * statistics and updates its running ones, every map is kept. Used to recompute the statistics.
   */
  public static PairList<String, Object> withoutDropout() {
    PairList<String, Object> params = new PairList<>();
    params.add(NO_DROPOUT, Boolean.TRUE);
    return params;
  }

  static final String NO_DROPOUT = "ser.no_dropout";

  static boolean dropout(boolean training, PairList<String, Object> params) {
    return training && (params == null || params.get(NO_DROPOUT) == null);
  }

  /**
   * The emotion logits (N, classes) of the input (N, T, F). In training, a model with a speaker head
   * returns two more outputs, both (N, speakers): the head's logits on the pooled features with no
   * gradient to the network below (the head learns to tell the training speakers apart from them), and
   * the same head's logits with its weights frozen (the network below learns, through them, to leave
   * the head uncertain). Trained towards the speakers and towards the uniform distribution
   * respectively ({@code MsSenetTrainer}), this is adversarial training whose second loss is bounded
   * below: the "confusion" form (Tzeng et al. 2015, Alvi et al. 2018), chosen after a gradient
   * reversal (Ganin and Lempitsky 2015) drove the features apart without bound on EmoDB.
   */
  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // (N, T, F)
    if (inputMean != null) {
      x = x.sub(ps.getValue(inputMean, x.getDevice(), training)).div(ps.getValue(inputStd, x.getDevice(), training));
    }
    NDArray[] paths = {x, x.flip(1)};
    for (int d = 0; d < 2; d++) {
      NDArray fused = fusion[d].forward(ps, new NDList(paths[d]), training, params).singletonOrThrow(); // (N, T, 4F)
      // the 1x1 convolution as a matrix product: no oneDNN convolution (TemporalAwareBlock says why)
      NDArray weight = Layers.parameter(ps, entry[d].getParameters().get("weight"), fused, training); // (C, 4F, 1)
      NDArray bias = Layers.parameter(ps, entry[d].getParameters().get("bias"), fused, training); // (C)
      long channels = weight.getShape().get(0);
      paths[d] = Layers.batchedProduct(weight.reshape(channels, weight.getShape().get(1)), fused.transpose(0, 2, 1))
          .add(bias.reshape(channels, 1)); // (N, C, T)
    }
    NDList pooled = new NDList(config.blocks());
    for (int j = 0; j < config.blocks(); j++) {
      for (int d = 0; d < 2; d++) {
        paths[d] = blocks.get(d)[j].forward(ps, new NDList(paths[d]), training, params).singletonOrThrow();
      }
      pooled.add(paths[0].add(paths[1]).mean(new int[] {2})); // (N, C)
    }
    NDArray stacked = NDArrays.stack(pooled, 2); // (N, C, n)
    NDArray weights = ps.getValue(fusionWeights, x.getDevice(), training); // (n, 1)
    NDArray combined = stacked.matMul(weights).squeeze(2); // (N, C)
    NDList logits = classifier.forward(ps, new NDList(combined), training);
    if (speakerHead == null || !training) {
      return logits;
    }
    NDArray own = speakerHead.forward(ps, new NDList(combined.stopGradient()), true).singletonOrThrow();
    NDArray w = Layers.parameter(ps, speakerHead.getParameters().get("weight"), combined, true).stopGradient(); // (S, C)
    NDArray b = Layers.parameter(ps, speakerHead.getParameters().get("bias"), combined, true).stopGradient(); // (S)
    NDArray seen = combined.matMul(w.transpose()).add(b);
    return new NDList(logits.singletonOrThrow(), own, seen);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), config.classes())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    long n = in.get(0);
    long t = in.get(1);
    Shape sequence = new Shape(n, config.filters(), t);
    for (int d = 0; d < 2; d++) {
      fusion[d].initialize(manager, dataType, in);
      entry[d].initialize(manager, dataType, new Shape(n, 4 * in.get(2), t));
      for (TemporalAwareBlock b : blocks.get(d)) {
        b.initialize(manager, dataType, sequence);
      }
    }
    classifier.initialize(manager, dataType, new Shape(n, config.filters()));
    if (speakerHead != null) {
      speakerHead.initialize(manager, dataType, new Shape(n, config.filters()));
    }
  }
}
