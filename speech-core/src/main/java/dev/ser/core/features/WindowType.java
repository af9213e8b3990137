package dev.ser.core.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Analysis windows, periodic (DFT-even) as {@code scipy.signal.get_window(..., fftbins=True)}. */
public enum WindowType {
  HANN(0.5, 0.5),
  HAMMING(0.54, 0.46);

  private final double a0;
  private final double a1;

  WindowType(double a0, double a1) {
    this.a0 = a0;
    this.a1 = a1;
  }

  /** {@code a0 - a1 cos(2 pi k / n)} for k = 0..n-1. */
  public double[] coefficients(int n) {
    double[] w = new double[n];
    for (int k = 0; k < n; k++) {
      w[k] = a0 - a1 * Math.cos(2 * Math.PI * k / n);
    }
    return w;
  }

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static WindowType fromJson(String name) {
    for (WindowType t : values()) {
      if (t.jsonName().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown window \"" + name + "\"; expected hann or hamming");
  }
}
