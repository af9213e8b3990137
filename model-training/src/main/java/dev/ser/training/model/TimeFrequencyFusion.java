package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import ai.djl.ndarray.NDManager;

/**
 * MS-SENet's multi-scale time-frequency fusion. Input (N, T, F) MFCCs; output (N, T, 4F):
 * three parallel 2-D convolutions over the (time x coefficient) map (kernels 11x1, 1x9, 3x3, "same"
 * padding, each with batch norm, ReLU, spatial dropout), their maps joined along the coefficient
 * axis, re-weighted per channel by a squeeze-and-excitation gate, squeezed to one map by a 1x1
 * convolution with ReLU, then concatenated with the raw MFCCs along the feature axis.
 */
public final class TimeFrequencyFusion extends AbstractBlock {

  /** (time, coefficient) kernel sizes of the three branches, as in the reference code. */
  static final int[][] KERNELS = {{11, 1}, {1, 9}, {3, 3}};

  private final ModelConfig config;
  final Conv2d[] convs = new Conv2d[KERNELS.length];
  final BatchNorm[] norms = new BatchNorm[KERNELS.length];
  final Linear squeeze;
  final Linear excite;
  final Conv2d merge;

  /** The (time, coefficient) kernel of branch {@code b}. */
  public static int[] kernel(int b) {
    return KERNELS[b].clone();
  }

  public static int branches() {
    return KERNELS.length;
  }

  public Conv2d conv(int b) {
    return convs[b];
  }

  public BatchNorm norm(int b) {
    return norms[b];
  }

  public Linear squeeze() {
    return squeeze;
  }

  public Linear excite() {
    return excite;
  }

  public Conv2d merge() {
    return merge;
  }

  TimeFrequencyFusion(ModelConfig config) {
    super((byte) 1);
    this.config = config;
    for (int b = 0; b < KERNELS.length; b++) {
      int kt = KERNELS[b][0];
      int kf = KERNELS[b][1];
      convs[b] = addChildBlock("conv" + b, Conv2d.builder().setKernelShape(new Shape(kt, kf))
          .optPadding(new Shape(kt / 2, kf / 2)).setFilters(config.filters()).build());
      norms[b] = addChildBlock("bn" + b, Layers.batchNorm());
    }
    squeeze = addChildBlock("se_squeeze", Linear.builder().setUnits(config.filters()).build());
    excite = addChildBlock("se_excite", Linear.builder().setUnits(config.filters()).build());
    merge = addChildBlock("merge", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // (N, T, F)
    long n = x.getShape().get(0);
    long t = x.getShape().get(1);
    long f = x.getShape().get(2);
    // The reference joins the three maps along the coefficient axis, drops whole maps, scales each
    // channel by the gate and merges with a 1x1 convolution. Written that way every step reads and
    // writes the (N, C, T, 3F) tensor, which dominated the epoch time. The same function, computed
    // per branch: the dropout mask and the gate are per (sample, channel) factors, so they fold into
    // the merge weights, and the 1x1 convolution becomes one batched matrix product per branch.
    NDArray map = x.expandDims(1); // (N, 1, T, F)
    NDArray[] branches = new NDArray[KERNELS.length];
    NDArray[] keep = new NDArray[KERNELS.length];
    NDArray pooled = null;
    for (int b = 0; b < KERNELS.length; b++) {
      // batch norm folded into the convolution, written as one matrix product (BatchNormalizedConv says why)
      NDArray y = BatchNormalizedConv.forward(ps, convs[b], norms[b], MsSenet.BATCH_NORM_MOMENTUM,
          Layers.BATCH_NORM_EPSILON, map, training);
      branches[b] = Activation.relu(y); // (N, C, T, F)
      // the map's sum per channel over the flattened map; the backward pass of a sum is a broadcast, that
      // of a mean a division of the whole (N, C, T, F) map
      NDArray sum = branches[b].reshape(n, config.filters(), t * f).sum(new int[] {2}); // (N, C)
      keep[b] = SpatialDropout.keepMask(x.getManager(), n, config.filters(), config.fusionDropout(),
          MsSenet.dropout(training, params), x.getDataType());
      if (keep[b] != null) {
        sum = sum.mul(keep[b]);
      }
      pooled = pooled == null ? sum : pooled.add(sum);
    }
    // the joined map's mean (the branches are equally wide), scaled on the small (N, C) result. The factor
    // is a tensor in the engine's memory: DJL's mul(Number) wraps a Java buffer that it frees right after
    // the call, while autograd keeps the factor for the backward pass (model-training/README.md)
    pooled = pooled.mul(EngineMemory.create(x.getManager(), new float[] {1f / (KERNELS.length * t * f)}, new Shape()));
    // squeeze and excitation over the C channels
    NDArray gate = Activation.relu(squeeze.forward(ps, new NDList(pooled), training).singletonOrThrow());
    gate = Activation.sigmoid(excite.forward(ps, new NDList(gate), training).singletonOrThrow()); // (N, C)
    NDArray mergeWeight = Layers.parameter(ps, merge.getParameters().get("weight"), x, training)
        .reshape(1, config.filters()); // (1, C) from (1, C, 1, 1)
    NDArray mergeBias = Layers.parameter(ps, merge.getParameters().get("bias"), x, training); // (1)
    NDList merged = new NDList(KERNELS.length);
    for (int b = 0; b < KERNELS.length; b++) {
      NDArray scale = gate.mul(mergeWeight);
      if (keep[b] != null) {
        scale = scale.mul(keep[b]);
      }
      NDArray out = scale.expandDims(1).matMul(branches[b].reshape(n, config.filters(), t * f)); // (N, 1, T*F)
      merged.add(out.reshape(n, t, f));
    }
    NDArray features = Activation.relu(NDArrays.concat(merged, 2).add(mergeBias)); // (N, T, 3F)
    return new NDList(NDArrays.concat(new NDList(features, x), 2)); // (N, T, 4F)
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), 4 * in.get(2))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    Shape map = new Shape(in.get(0), 1, in.get(1), in.get(2));
    for (int b = 0; b < KERNELS.length; b++) {
      convs[b].initialize(manager, dataType, map);
      norms[b].initialize(manager, dataType, convs[b].getOutputShapes(new Shape[] {map}));
    }
    Shape pooled = new Shape(in.get(0), config.filters());
    squeeze.initialize(manager, dataType, pooled);
    excite.initialize(manager, dataType, pooled);
    merge.initialize(manager, dataType, new Shape(in.get(0), config.filters(), in.get(1), 3 * in.get(2)));
  }
}
