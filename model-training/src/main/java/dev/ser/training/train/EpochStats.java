package dev.ser.training.train;

/** One epoch: mean training loss and accuracy, and the accuracy on held-out data if any (NaN otherwise). */
public record EpochStats(int epoch, double loss, double trainAccuracy, double heldOutAccuracy, double seconds) {}
