package dev.ser.training.refresh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Whether a freshly trained model replaces the current one, and the replacement itself. Both UARs
 * come from the models' own metadata (the cross-validation summary ser train writes into every
 * model file). The layout under the models directory:
 *
 * <pre>
 * versions/VERSION/model.onnx (+ .sha256, report.json ...)   every trained candidate, kept
 * current/model.onnx, current/model.onnx.sha256, current/VERSION   what the stream job loads
 * </pre>
 */
public final class ModelPromotion {

  public static final String CURRENT_MODEL = "current/model.onnx";

  private ModelPromotion() {}

  /** The outcome, with the numbers behind it. */
  public record Decision(boolean promote, double currentUar, double candidateUar, double margin, String reason) {}

  /**
   * Promote when there is no current model, or when the candidate's UAR is at least the current
   * one's minus {@code margin} (fractions, 0.01 = one percentage point).
   */
  public static Decision decide(double currentUar, double candidateUar, double margin) {
    if (!(margin >= 0) || !(margin <= 1)) {
      throw new IllegalArgumentException("the margin must be a fraction in 0..1, got " + margin);
    }
    if (!(candidateUar >= 0 && candidateUar <= 1)) {
      throw new IllegalArgumentException("the candidate's UAR " + candidateUar + " is not a fraction; was it trained"
          + " with cross-validation?");
    }
    if (Double.isNaN(currentUar)) {
      return new Decision(true, currentUar, candidateUar, margin, "there is no current model");
    }
    boolean promote = candidateUar >= currentUar - margin;
    String reason = String.format(Locale.ROOT, "candidate UAR %.2f %% %s current %.2f %% - margin %.2f points",
        100 * candidateUar, promote ? ">=" : "<", 100 * currentUar, 100 * margin);
    return new Decision(promote, currentUar, candidateUar, margin, reason);
  }

  /** The cross-validated UAR (mean over folds) a model file carries; NaN when the file does not exist. */
  public static double uarOf(Path model) throws Exception {
    if (!Files.exists(model)) {
      return Double.NaN;
    }
    try (EmotionScorer scorer = EmotionScorer.open(model)) {
      JsonNode summary = new ObjectMapper().readTree(scorer.metadata().crossValidation());
      JsonNode uar = summary.get("uar_mean");
      if (uar == null || !uar.isNumber()) {
        throw new IllegalArgumentException(model + " carries no cross-validated UAR (ser.cross_validation has no"
            + " uar_mean); train it with ser train to compare it");
      }
      return uar.asDouble();
    }
  }

  /**
   * Makes {@code candidate} the current model: copied next to the current one, then moved over it
   * atomically (a reader sees the old file or the new one, never a partial one), with its SHA-256
   * sidecar and version.
   */
  public static void promote(Path candidate, Path modelsDir, String version) throws IOException {
    Path currentDir = Files.createDirectories(modelsDir.resolve("current"));
    String sha = ModelChecksum.sha256(candidate);
    Path tmp = currentDir.resolve(".model.onnx.tmp");
    Files.copy(candidate, tmp, StandardCopyOption.REPLACE_EXISTING);
    Path shaTmp = currentDir.resolve(".model.onnx.sha256.tmp");
    Files.writeString(shaTmp, sha + "  model.onnx\n");
    Files.move(tmp, currentDir.resolve("model.onnx"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.move(shaTmp, currentDir.resolve("model.onnx.sha256"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(currentDir.resolve("VERSION"), version + "\n");
  }
}
