package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * TIM-Net's temporal-aware block on (N, C, T): two sub-blocks of causal dilated convolution
 * (kernel 2), batch norm, ReLU and spatial dropout; the result, through a sigmoid, gates the
 * block's input.
 */
public final class TemporalAwareBlock extends AbstractBlock {

  private final ModelConfig config;
  final int dilation;
  final Conv1d conv1;
  final BatchNorm norm1;
  final Conv1d conv2;
  final BatchNorm norm2;

  public int dilation() {
    return dilation;
  }

  /** Sub-block 1 or 2's causal convolution and batch norm. */
  public Conv1d conv(int sub) {
    return sub == 1 ? conv1 : conv2;
  }

  public BatchNorm norm(int sub) {
    return sub == 1 ? norm1 : norm2;
  }

  TemporalAwareBlock(ModelConfig config, int dilation) {
    super((byte) 1);
    this.config = config;
    this.dilation = dilation;
    conv1 = addChildBlock("conv1", causalConv(config.filters(), dilation));
    norm1 = addChildBlock("bn1", Layers.batchNorm());
    conv2 = addChildBlock("conv2", causalConv(config.filters(), dilation));
    norm2 = addChildBlock("bn2", Layers.batchNorm());
  }

  private static Conv1d causalConv(int filters, int dilation) {
    return Conv1d.builder().setKernelShape(new Shape(2)).setFilters(filters).optDilation(new Shape(dilation)).build();
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    boolean dropout = MsSenet.dropout(training, params);
    NDArray y = subBlock(ps, x, conv1, norm1, training, dropout);
    y = subBlock(ps, y, conv2, norm2, training, dropout);
    return new NDList(x.mul(Activation.sigmoid(y)));
  }

  private NDArray subBlock(ParameterStore ps, NDArray x, Conv1d conv, BatchNorm norm, boolean training, boolean dropout) {
    NDArray y = causalConvolution(ps, conv, x, training);
    y = norm.forward(ps, new NDList(y), training).singletonOrThrow();
    return SpatialDropout.apply(Activation.relu(y), config.temporalDropout(), dropout);
  }

  /**
   * The causal dilated convolution (kernel 2) of {@code x} (N, C, T) with {@code conv}'s weights:
   * {@code y[t] = W0 x[t - d] + W1 x[t] + b}, x before the start taken as 0, so output t sees
   * inputs <= t. Computed as one batched product of both taps with {@code x}, {@code [W0; W1] x},
   * whose first half is then shifted right by d ({@code (W0 x)[t - d]} is {@code W0 x[t - d]}), rather
   * than by DJL's {@code Conv1d} on the padded input: PyTorch's oneDNN convolution gave whole output
   * channels of NaN from finite inputs, weights and bias (again when called again on the same
   * tensors) once memory that had held NaN was handed out again, e.g. after a skipped batch: every
   * later batch was then non-finite, which is how folds of recipe versions 2 and 4 were lost
   * ({@code NonFiniteStepTest}, model-training/README.md). The parameters and the exported graph are
   * unchanged.
   */
  private NDArray causalConvolution(ParameterStore ps, Conv1d conv, NDArray x, boolean training) {
    long t = x.getShape().get(2);
    NDArray weight = Layers.parameter(ps, conv.getParameters().get("weight"), x, training); // (C, C, 2)
    NDArray bias = Layers.parameter(ps, conv.getParameters().get("bias"), x, training); // (C)
    long c = weight.getShape().get(0);
    NDArray taps = weight.transpose(2, 0, 1).reshape(2 * c, c); // [W0; W1], (2C, C)
    NDArray z = Layers.batchedProduct(taps, x); // (N, 2C, T)
    NDArray present = z.get(new NDIndex(":, {}:, :", c)).add(bias.reshape(c, 1));
    if (dilation >= t) {
      return present; // every x[t - d] is before the start
    }
    NDArray past = z.get(new NDIndex(":, 0:{}, 0:{}", c, t - dilation)).pad(new Shape(dilation, 0), 0);
    return past.add(present);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    Shape padded = new Shape(in.get(0), in.get(1), in.get(2) + dilation);
    conv1.initialize(manager, dataType, padded);
    norm1.initialize(manager, dataType, in);
    conv2.initialize(manager, dataType, padded);
    norm2.initialize(manager, dataType, in);
  }
}
