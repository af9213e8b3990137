package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;

/** Layer settings shared by the blocks. */
final class Layers {

  private Layers() {}

  /** Keras' batch-norm epsilon. */
  static final float BATCH_NORM_EPSILON = 1e-3f;

  /**
   * Batch norm over the channel axis with Keras' defaults (the reference code is Keras):
   * momentum 0.99 of the running statistics, epsilon 1e-3.
   */
  static BatchNorm batchNorm() {
    return BatchNorm.builder().optAxis(1).optMomentum(MsSenet.BATCH_NORM_MOMENTUM).optEpsilon(BATCH_NORM_EPSILON).build();
  }

  /**
   * {@code parameter}'s value as a view owned by {@code input}'s manager, for the layers that compute
   * with their parameters themselves. Why: DJL gives an operation's result to its receiver's
   * manager, and a parameter's manager is the model's, which lives as long as the model, so a
   * product such as {@code weight.matMul(input)} would keep every batch's output until the model is
   * closed (about 120 MB a second with the full-size network: {@code TrainingMemoryTest}). Through
   * the view, such results are freed with the batch. The view shares the parameter's storage and its
   * gradient, so in-place updates (running statistics) and training work as on the parameter.
   */
  static NDArray parameter(ParameterStore ps, Parameter parameter, NDArray input, boolean training) {
    NDArray value = ps.getValue(parameter, input.getDevice(), training);
    NDArray view = value.reshape(value.getShape());
    view.attach(input.getManager());
    return view;
  }

  /**
   * {@code weight} (A, B) applied to every sample of {@code x} (N, B, T): (N, A, T), as one batched
   * product. Why not {@code weight.matMul(x)}: PyTorch turns a 2-D by 3-D product into one large
   * product over x transposed to (N * T, B) and transposes the result back, so the output is copied
   * twice and the weight's gradient becomes a skinny product over N * T rows; for the fusion's
   * (64, 39, 7332) maps that made an epoch of {@code ser bench epoch} 23 s instead of 14 s (the
   * weight-gradient product alone 3.6 s). Here the weight is broadcast over the batch (a view, no
   * copy), the output is written once in place, and a transposed {@code x} costs nothing extra.
   */
  static NDArray batchedProduct(NDArray weight, NDArray x) {
    long n = x.getShape().get(0);
    return weight.expandDims(0).broadcast(new Shape(n, weight.getShape().get(0), weight.getShape().get(1))).matMul(x);
  }
}
