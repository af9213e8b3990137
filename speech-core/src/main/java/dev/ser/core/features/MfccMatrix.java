package dev.ser.core.features;

import dev.ser.core.io.Float32File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An MFCC matrix, frames x coefficients, row-major: all coefficients of frame 0 first. This is
 * the layout of the reference files and of the model's input tensor.
 */
public record MfccMatrix(int frames, int coefficients, float[] data) {

  public MfccMatrix {
    if (data.length != frames * coefficients) {
      throw new IllegalArgumentException("data has " + data.length + " values, not " + frames + " x " + coefficients);
    }
  }

  public float get(int frame, int coefficient) {
    return data[frame * coefficients + coefficient];
  }

  /** Little-endian float32, row-major, no header: the reference vectors' format. */
  public byte[] toLittleEndianBytes() {
    ByteBuffer out = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(data);
    return out.array();
  }

  public void writeF32(Path path) throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      out.write(toLittleEndianBytes());
    }
  }

  /** Reads a headerless little-endian float32 file with the given number of columns. */
  public static MfccMatrix readF32(Path path, int coefficients) throws IOException {
    float[] values = Float32File.read(path);
    if (values.length % coefficients != 0) {
      throw new IllegalArgumentException(path + " holds " + values.length + " floats, not a multiple of "
          + coefficients + " coefficients");
    }
    return new MfccMatrix(values.length / coefficients, coefficients, values);
  }
}
