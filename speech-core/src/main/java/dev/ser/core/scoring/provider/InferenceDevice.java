package dev.ser.core.scoring.provider;

import java.io.Serializable;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, or {@code cuda:N} (the CUDA execution provider on
 * GPU N; {@code cuda} means {@code cuda:0}).
 */
public record InferenceDevice(Kind kind, int index) implements Serializable {

  private static final long serialVersionUID = 1L;

  public enum Kind { CPU, CUDA }

  public static final InferenceDevice CPU = new InferenceDevice(Kind.CPU, 0);

  public InferenceDevice {
    if (index < 0) {
      throw new IllegalArgumentException("device index must not be negative, got " + index);
    }
  }

  /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}. */
  public static InferenceDevice parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("cpu")) {
      return CPU;
    }
    if (t.equals("cuda")) {
      return new InferenceDevice(Kind.CUDA, 0);
    }
    if (t.startsWith("cuda:")) {
      try {
        return new InferenceDevice(Kind.CUDA, Integer.parseInt(t.substring(5)));
      } catch (IllegalArgumentException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException("unknown device \"" + text + "\"; use cpu, cuda or cuda:N (N = GPU index)");
  }

  @Override
  public String toString() {
    return kind == Kind.CPU ? "cpu" : "cuda:" + index;
  }
}
