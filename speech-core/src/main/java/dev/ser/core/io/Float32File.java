package dev.ser.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Headerless little-endian float32 files, the format of the reference vectors and of {@code ser mfcc}. */
public final class Float32File {

  private Float32File() {}

  public static float[] read(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    if (bytes.length % 4 != 0) {
      throw new IllegalArgumentException(path + " has " + bytes.length
          + " bytes, not a whole number of float32 values");
    }
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  public static void write(Path path, float[] values) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(values);
    Files.write(path, out.array());
  }
}
