package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;

/**
 * A convolution of a single-channel map followed by batch norm, computed as one matrix product
 * whose weights already hold the normalisation.
 *
 * <p>Why: in the fusion the three branch maps are (N, C, T, F) each, 64 x 39 x 188 x 39 floats per
 * batch, and batch norm read and wrote them twice forward and three times backward: 2.3 s of an
 * 8.7-s epoch ({@code ser bench epoch --profile}). But each output channel is a linear function of
 * the input's K-point patches, {@code y_c = w_c . p + b_c}, so its batch mean and variance follow
 * from the patches' mean vector and K x K covariance ({@code w_c . mu + b_c} and
 * {@code w_c' Sigma w_c}), which are computed from the input, 39 times smaller than the map.
 * Normalising then is a per-channel scale and shift, and those fold into the weights and bias.
 * Autograd differentiates through the statistics as batch norm's own backward pass does, so the
 * function and its gradients are batch norm's (to float rounding: {@code BatchNormalizedConvTest});
 * the big map is written once, by the product. Outside training the running statistics fold in
 * the same way. The product replaces PyTorch's oneDNN convolution, which read NaN from outside its
 * tensors ({@code TemporalAwareBlock#causalConvolution}).
 *
 * <p>The patches include the zero padding at the edges, as the "same" convolution does. The running
 * statistics are updated as DJL's batch norm updates them on PyTorch: {@code running = m * running +
 * (1 - m) * batch}, the variance with the unbiased (M / (M - 1)) estimate. The ONNX export keeps the
 * plain convolution and batch norm: the parameters are the same ones.
 */
final class BatchNormalizedConv {

  private BatchNormalizedConv() {}

  /**
   * {@code norm(conv(map))}: in training with batch statistics, updating {@code norm}'s running mean
   * and variance; otherwise with the running statistics. {@code map} is (N, 1, T, F); the result
   * (N, C, T, F).
   */
  static NDArray forward(ParameterStore ps, Conv2d conv, BatchNorm norm, float momentum, float epsilon,
      NDArray map, boolean training) {
    long n = map.getShape().get(0);
    long t = map.getShape().get(2);
    long f = map.getShape().get(3);
    int kt = (int) conv.getKernelShape().get(0);
    int kf = (int) conv.getKernelShape().get(1);
    int pt = (int) conv.getPadding().get(0);
    int pf = (int) conv.getPadding().get(1);
    if (map.getShape().get(1) != 1 || 2 * pt != kt - 1 || 2 * pf != kf - 1) {
      throw new IllegalArgumentException("needs a single-channel map and an odd 'same' kernel, got map "
          + map.getShape() + ", kernel " + conv.getKernelShape() + ", padding " + conv.getPadding());
    }
    NDArray weight = Layers.parameter(ps, conv.getParameters().get("weight"), map, training); // (C, 1, kt, kf)
    NDArray bias = Layers.parameter(ps, conv.getParameters().get("bias"), map, training); // (C)
    NDArray gamma = Layers.parameter(ps, norm.getParameters().get("gamma"), map, training);
    NDArray beta = Layers.parameter(ps, norm.getParameters().get("beta"), map, training);
    NDArray runningMean = Layers.parameter(ps, norm.getParameters().get("runningMean"), map, training);
    NDArray runningVar = Layers.parameter(ps, norm.getParameters().get("runningVar"), map, training);
    long channels = weight.getShape().get(0);
    int k = kt * kf;
    long m = n * t * f;

    // the map's K-point patches as K shifted copies of the padded map, plus a row of ones that carries
    // the bias through the product: (N, K + 1, T * F), in the kernel's (time, coefficient) order
    NDArray padded = map.pad(new Shape(pf, pf, pt, pt), 0); // last axis first, as torch's pad
    NDList rows = new NDList(k + 1);
    for (int i = 0; i < kt; i++) {
      for (int j = 0; j < kf; j++) {
        rows.add(padded.get(new NDIndex(":, 0, {}:{}, {}:{}", i, i + t, j, j + f)).reshape(n, t * f));
      }
    }
    rows.add(map.getManager().ones(new Shape(n, t * f), map.getDataType()));
    NDArray patches = NDArrays.stack(rows, 1);
    NDArray w = weight.reshape(channels, k);
    NDArray eps = EngineMemory.create(map.getManager(), new float[] {epsilon}, new Shape());
    if (!training) {
      // the running statistics fold in the same way; no oneDNN convolution anywhere (TemporalAwareBlock says why)
      NDArray scale = gamma.div(runningVar.add(eps).sqrt());
      NDArray foldedBias = beta.add(bias.sub(runningMean).mul(scale));
      NDArray folded = NDArrays.concat(new NDList(w.mul(scale.reshape(channels, 1)), foldedBias.reshape(channels, 1)), 1);
      return Layers.batchedProduct(folded, patches).reshape(n, channels, t, f);
    }
    // all first and second moments at once: the last column holds the patch means, (K + 1, K + 1)
    NDArray moments = patches.matMul(patches.transpose(0, 2, 1)).sum(new int[] {0})
        .mul(EngineMemory.create(map.getManager(), new float[] {1f / m}, new Shape()));
    NDArray patchMean = moments.get(new NDIndex("0:{}, {}:", k, k)); // (K, 1)
    NDArray patchCovariance = moments.get(new NDIndex("0:{}, 0:{}", k, k))
        .sub(patchMean.matMul(patchMean.transpose())); // (K, K)

    NDArray mean = w.matMul(patchMean).reshape(channels).add(bias); // (C)
    NDArray variance = w.matMul(patchCovariance).mul(w).sum(new int[] {1}); // (C), biased, as normalisation uses
    // scalars autograd keeps live in engine memory (EngineMemory explains why)
    NDArray scale = gamma.div(variance.add(eps).sqrt());
    NDArray foldedBias = beta.add(bias.sub(mean).mul(scale));
    NDArray folded = NDArrays.concat(new NDList(w.mul(scale.reshape(channels, 1)), foldedBias.reshape(channels, 1)), 1);

    // in place and outside autograd, as batch norm's own update; the detached statistics share storage
    // with ones autograd may keep, so they are scaled into new tensors, not in place
    try (NDArray batchMean = mean.stopGradient();
        NDArray batchVar = variance.stopGradient();
        NDArray meanStep = batchMean.mul(1 - momentum);
        NDArray varStep = batchVar.mul((float) ((1 - momentum) * (double) m / (m - 1)))) {
      runningMean.muli(momentum).addi(meanStep);
      runningVar.muli(momentum).addi(varStep);
    }
    // the convolution as one product, (C, K + 1) x (N, K + 1, T * F): the map is written once, bias included,
    // and its backward pass for the weights is one product too
    return Layers.batchedProduct(folded, patches).reshape(n, channels, t, f);
  }
}
