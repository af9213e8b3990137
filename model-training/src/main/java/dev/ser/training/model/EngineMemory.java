package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Puts Java values into tensors that live in the engine's own memory. DJL's PyTorch engine wraps a
 * Java direct buffer without copying ({@code create}) and re-points a tensor at one ({@code set});
 * those buffers are aligned to 8 or 16 bytes only, and where they land changes from run to run, so
 * the vectorised kernels can take different paths and round differently. PyTorch's allocator
 * aligns to 64 bytes. Measured on a 6-epoch run of the reference network (64 x 39 inputs, one
 * thread): before, 2 of 6 runs in one JVM and 1 of 3 separate JVMs gave other weights; after, 8 of
 * 8 separate JVMs gave the same bits.
 *
 * <p>Scalars that autograd keeps belong here too: DJL's {@code mul(Number)} and {@code div(Number)}
 * wrap the number in a Java buffer that is freed after the next garbage collection, and the backward
 * pass then reads whatever took its place (NaN gradients in {@code FreedJavaMemoryTest}; the first
 * run in a JVM differing now and then; model-training/README.md, "Same seed, same bits").
 */
public final class EngineMemory {

  private EngineMemory() {}

  /** A tensor of {@code shape} holding {@code values}, in the engine's memory, owned by {@code manager}. */
  public static NDArray create(NDManager manager, float[] values, Shape shape) {
    try (NDArray wrapped = manager.create(values, shape)) {
      return wrapped.duplicate(); // a clone: allocated by the engine
    }
  }

  /** Copies {@code values} into {@code target}'s own storage, which stays where it is. */
  public static void assign(NDArray target, float[] values) {
    try (NDManager scratch = target.getManager().newSubManager();
        NDArray source = scratch.create(values, target.getShape())) {
      target.set(new NDIndex("..."), source);
    }
  }
}
