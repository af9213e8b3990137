package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Spatial dropout (Keras SpatialDropout1D/2D): drops whole feature maps, one Bernoulli draw per
 * sample and channel, and scales the kept ones by 1/(1-rate). DJL has no such block.
 */
final class SpatialDropout {

  private SpatialDropout() {}

  /** {@code x} is (N, C, ...); the identity outside training. */
  static NDArray apply(NDArray x, float rate, boolean training) {
    if (!training || rate == 0f) {
      return x;
    }
    long[] maskShape = new long[x.getShape().dimension()];
    java.util.Arrays.fill(maskShape, 1);
    maskShape[0] = x.getShape().get(0);
    maskShape[1] = x.getShape().get(1);
    NDArray keep = x.getManager().randomUniform(0f, 1f, new Shape(maskShape), x.getDataType())
        .gte(rate).toType(x.getDataType(), false).div(1f - rate);
    return x.mul(keep);
  }

  /**
   * The (N, C) factors {@link #apply} would multiply whole maps by (0, or 1/(1-rate) for kept
   * ones), for callers that fold them into a later per-channel product; null outside training.
   */
  static NDArray keepMask(ai.djl.ndarray.NDManager manager, long n, long channels, float rate, boolean training,
      ai.djl.ndarray.types.DataType type) {
    if (!training || rate == 0f) {
      return null;
    }
    return manager.randomUniform(0f, 1f, new Shape(n, channels), type).gte(rate).toType(type, false).div(1f - rate);
  }
}
