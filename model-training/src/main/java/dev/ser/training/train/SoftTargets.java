package dev.ser.training.train;

/**
 * A teacher's class probabilities for every training clip, and the share {@code weight} they take
 * of each clip's target row (knowledge distillation, Hinton et al. 2015, with the teacher's
 * probabilities at temperature 1): the target becomes {@code (1 - weight)} times the clip's
 * label-smoothed one-hot row plus {@code weight} times the teacher's row. The cross-entropy against
 * such a row is the label loss and the teacher loss mixed in that proportion. A seed ensemble as
 * the teacher lets one model learn what the ensemble knows at one model's inference cost.
 *
 * @param probabilities per training clip (in the order of the training data), one row of class
 *                      probabilities summing to 1
 * @param weight        in (0, 1]
 */
public record SoftTargets(float[][] probabilities, float weight) {

  public SoftTargets {
    requireWeight(weight);
    for (int i = 0; i < probabilities.length; i++) {
      double sum = 0;
      for (float p : probabilities[i]) {
        if (!(p >= 0)) {
          throw new IllegalArgumentException("teacher probability " + p + " of clip " + i + " is not a probability");
        }
        sum += p;
      }
      if (Math.abs(sum - 1) > 1e-3) {
        throw new IllegalArgumentException("the teacher's probabilities of clip " + i + " sum to " + sum + ", not 1");
      }
    }
  }

  static void requireWeight(float weight) {
    if (!(weight > 0 && weight <= 1)) {
      throw new IllegalArgumentException("the distillation weight must be in (0, 1], got " + weight);
    }
  }

  /**
   * Mixes the teacher's rows into {@code targets} (the batch's label rows, each already scaled by
   * its class weight when {@code classWeights} is given, which then scales the teacher's part too).
   */
  void mixInto(float[] targets, int[] rows, int[] y, float[] classWeights) {
    int classes = targets.length / rows.length;
    for (int r = 0; r < rows.length; r++) {
      float[] teacher = probabilities[rows[r]];
      float w = classWeights == null ? 1f : classWeights[y[rows[r]]];
      for (int c = 0; c < classes; c++) {
        targets[r * classes + c] = (1 - weight) * targets[r * classes + c] + weight * w * teacher[c];
      }
    }
  }
}
