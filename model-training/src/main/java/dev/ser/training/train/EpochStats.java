package dev.ser.training.train;

/**
 * One epoch: mean training loss and accuracy, and the accuracy on held-out data if any (NaN
 * otherwise); {@code skippedSteps} counts the batches whose loss was not finite, so no update was
 * made from them.
 */
public record EpochStats(int epoch, double loss, double trainAccuracy, double heldOutAccuracy, double seconds,
    int skippedSteps) {

  public EpochStats(int epoch, double loss, double trainAccuracy, double heldOutAccuracy, double seconds) {
    this(epoch, loss, trainAccuracy, heldOutAccuracy, seconds, 0);
  }
}
