package dev.ser.core.features;

/**
 * Pad or crop to a fixed number of samples, as TIM-Net's feature code does: shorter signals get
 * {@code (L - n) / 2} zeros on the left and the rest on the right; longer ones keep the
 * {@code L} samples starting at {@code (n - L) / 2}.
 */
public final class FixedLength {

  private FixedLength() {}

  public static float[] padOrCrop(float[] x, int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("fixed length must be positive, got " + length);
    }
    float[] out = new float[length];
    if (x.length <= length) {
      System.arraycopy(x, 0, out, (length - x.length) / 2, x.length);
    } else {
      System.arraycopy(x, (x.length - length) / 2, out, 0, length);
    }
    return out;
  }
}
