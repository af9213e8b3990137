package dev.ser.training.train;

/**
 * One epoch: mean training loss and accuracy, and the accuracy on held-out data if any (NaN
 * otherwise); {@code skippedSteps} counts the batches whose loss or gradients were not finite, so
 * no update was made from them; {@code maxGradientNorm} is the largest global L2 norm of a batch's
 * gradients before any clipping (NaN where not measured: records from before it), and
 * {@code clippedSteps} the batches whose gradients were scaled down to the clipping norm.
 * {@code rolledBack} counts the passes over the data that broke the model (a non-finite weight or
 * optimizer state, or no usable batch) and were undone before the epoch was drawn again, and
 * {@code rollbackReason} says what the last of them broke (null when none).
 */
public record EpochStats(int epoch, double loss, double trainAccuracy, double heldOutAccuracy, double seconds,
    int skippedSteps, double maxGradientNorm, int clippedSteps, int rolledBack, String rollbackReason) {

  public EpochStats(int epoch, double loss, double trainAccuracy, double heldOutAccuracy, double seconds) {
    this(epoch, loss, trainAccuracy, heldOutAccuracy, seconds, 0, Double.NaN, 0, 0, null);
  }

  public EpochStats(int epoch, double loss, double trainAccuracy, double heldOutAccuracy, double seconds,
      int skippedSteps, double maxGradientNorm, int clippedSteps) {
    this(epoch, loss, trainAccuracy, heldOutAccuracy, seconds, skippedSteps, maxGradientNorm, clippedSteps, 0, null);
  }
}
