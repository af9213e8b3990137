package dev.ser.training.model;

import ai.djl.nn.norm.BatchNorm;

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
}
