package dev.ser.training.train;

/**
 * Optimisation settings; the command line defaults to the reference code's: Adam (lr 0.001, beta1 0.93,
 * beta2 0.98, epsilon 1e-7 as in Keras), batch 64, cross-entropy with label smoothing 0.1.
 */
public record TrainingOptions(int epochs, int batchSize, float learningRate, float beta1, float beta2,
    float labelSmoothing, long seed) {

  public TrainingOptions {
    if (epochs < 1 || batchSize < 2) {
      throw new IllegalArgumentException("epochs must be >= 1 and batch size >= 2 (batch norm), got "
          + epochs + " and " + batchSize);
    }
    if (labelSmoothing < 0 || labelSmoothing >= 1) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
    }
  }
}
