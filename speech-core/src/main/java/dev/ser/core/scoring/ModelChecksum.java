package dev.ser.core.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * SHA-256 checks of model files, so that a modified or corrupt model is never loaded. The expected
 * value comes from the configuration or from the sidecar {@code MODEL.sha256} ({@code sha256sum}
 * format: the hex digest, then optionally the file name), which ser train, ser refresh and the
 * shipped model carry.
 */
public final class ModelChecksum {

  private ModelChecksum() {}

  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      byte[] buffer = new byte[1 << 16];
      while (in.read(buffer) >= 0) {
        // the digest sees every byte
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static Path sidecar(Path model) {
    return model.resolveSibling(model.getFileName() + ".sha256");
  }

  /** Writes the sidecar of {@code model} in sha256sum format. */
  public static void writeSidecar(Path model) throws IOException {
    Files.writeString(sidecar(model), sha256(model) + "  " + model.getFileName() + "\n", StandardCharsets.UTF_8);
  }

  /**
   * The SHA-256 a model must have: {@code configured} when given, else its sidecar's.
   *
   * @throws IllegalArgumentException when there is neither, or either is not a SHA-256
   */
  public static String expected(Path model, String configured) throws IOException {
    String value;
    String source;
    if (configured != null && !configured.isBlank()) {
      value = configured.trim();
      source = "the configured model SHA-256";
    } else if (Files.isRegularFile(sidecar(model))) {
      String text = Files.readString(sidecar(model), StandardCharsets.UTF_8).trim();
      value = text.isEmpty() ? "" : text.split("\\s+")[0];
      source = sidecar(model).toString();
    } else {
      throw new IllegalArgumentException("no SHA-256 for the model " + model + ": write it next to the model ("
          + "sha256sum " + model.getFileName() + " > " + sidecar(model).getFileName() + ") or configure it"
          + " (--model-sha256); unverified models are not loaded");
    }
    value = value.toLowerCase(Locale.ROOT);
    if (!value.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(source + " is not a SHA-256 (64 hex digits): \"" + value + "\"");
    }
    return value;
  }

  /** Refuses {@code model} unless its content has the {@code expected} SHA-256. */
  public static void verify(Path model, String expected) throws IOException {
    String actual = sha256(model);
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException("the model " + model + " has SHA-256 " + actual + " but " + expected
          + " was expected: it was modified or is corrupt, and is not loaded");
    }
  }
}
