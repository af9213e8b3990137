package dev.ser.training;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's {@code samples/} folder, from the {@code ser.samples.dir} property the build sets. */
public final class Samples {

  private Samples() {}

  public static Path emodb() {
    Path dir = Path.of(System.getProperty("ser.samples.dir", "../samples")).resolve("emodb");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("samples/emodb not found at " + dir.toAbsolutePath());
    }
    return dir;
  }
}
