package dev.ser.training.refresh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Whether a freshly trained model replaces the current one, and the replacement itself. Both UARs
 * come from {@link PromotionSet}: measured by the refresh on clips the candidate never trained on.
 * The layout under the models directory:
 *
 * <pre>
 * versions/VERSION/model.onnx, model.onnx.sha256, report.json ...   every trained candidate, kept
 * current -> versions/VERSION                                          what a starting job loads
 * </pre>
 *
 * A version directory appears whole (trained in {@code versions/.VERSION.partial}, then renamed),
 * so a reader never sees a model without its checksum; {@code current} is a relative symbolic link
 * replaced by a rename, so it names one complete version at every instant.
 */
public final class ModelPromotion {

  public static final String CURRENT_MODEL = "current/model.onnx";

  private ModelPromotion() {}

  /** The outcome, with the numbers behind it. */
  public record Decision(boolean promote, double currentUar, double candidateUar, double margin, String reason) {}

  /**
   * Promote when there is no current model, or when the candidate's UAR on the promotion set is at
   * least the current one's minus {@code margin} (fractions, 0.01 = one percentage point).
   */
  public static Decision decide(double currentUar, double candidateUar, double margin) {
    if (!(margin >= 0) || !(margin <= 1)) {
      throw new IllegalArgumentException("the margin must be a fraction in 0..1, got " + margin);
    }
    if (!(candidateUar >= 0 && candidateUar <= 1)) {
      throw new IllegalArgumentException("the candidate's UAR " + candidateUar + " is not a fraction");
    }
    if (Double.isNaN(currentUar)) {
      return new Decision(true, currentUar, candidateUar, margin, "there is no current model");
    }
    boolean promote = candidateUar >= currentUar - margin;
    String reason = String.format(Locale.ROOT, "on the promotion set, candidate UAR %.2f %% %s current %.2f %% - margin"
        + " %.2f points", 100 * candidateUar, promote ? ">=" : "<", 100 * currentUar, 100 * margin);
    return new Decision(promote, currentUar, candidateUar, margin, reason);
  }

  /** Where {@code version} is trained before it is complete. */
  public static Path partialDir(Path modelsDir, String version) {
    return modelsDir.resolve("versions").resolve("." + version + ".partial");
  }

  /** Makes the trained {@code version} visible, whole: one rename of its directory. */
  public static Path complete(Path modelsDir, String version) throws IOException {
    Path done = modelsDir.resolve("versions").resolve(version);
    return Files.move(partialDir(modelsDir, version), done, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Points {@code current} at {@code versions/VERSION} with one rename. A {@code current} directory
   * of the layout before links is first moved to {@code versions/before-links-TIME}.
   */
  public static void promote(Path modelsDir, String version) throws IOException {
    if (!Files.isRegularFile(modelsDir.resolve("versions").resolve(version).resolve("model.onnx"))) {
      throw new IllegalArgumentException("no model in " + modelsDir.resolve("versions").resolve(version));
    }
    Path current = modelsDir.resolve("current");
    if (Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
      String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
      Files.move(current, Files.createDirectories(modelsDir.resolve("versions")).resolve("before-links-" + stamp),
          StandardCopyOption.ATOMIC_MOVE);
    }
    Path link = modelsDir.resolve(".current." + version + ".tmp");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, Path.of("versions", version));
    Files.move(link, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The version {@code current} names, or null when there is none (or it is a directory of the old layout). */
  public static String currentVersion(Path modelsDir) throws IOException {
    Path current = modelsDir.resolve("current");
    if (!Files.isSymbolicLink(current)) {
      return null;
    }
    return Files.readSymbolicLink(current).getFileName().toString();
  }
}
