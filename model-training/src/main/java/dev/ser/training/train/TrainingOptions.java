package dev.ser.training.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Everything that decides how a model is trained, recorded in {@code report.json}, in each fold's
 * record and in the model's metadata. {@link #reference()} is what the reference code does (Keras
 * initialisation, Adam lr 0.001, beta 0.93/0.98, epsilon 1e-8, batch 64, label smoothing 0.1,
 * constant rate, last epoch's weights); {@link #recipe(int)} is our default recipe on top of it.
 *
 * @param epochs          passes over the training data
 * @param batchSize       clips per update (the last partial batch is kept)
 * @param learningRate    Adam's peak learning rate
 * @param beta1           Adam beta1
 * @param beta2           Adam beta2
 * @param epsilon         Adam epsilon (the reference code passes 1e-8 explicitly)
 * @param labelSmoothing  cross-entropy label smoothing
 * @param seed            seed of the shuffles, the initial weights, the dropout masks and the augmentation
 * @param initialization  KERAS: glorot-uniform kernels, zero biases, dynamic fusion uniform +-0.05 (the
 *                        reference); DJL: DJL's defaults (He-normal kernels), what version 1 was trained with
 * @param schedule        CONSTANT, or WARMUP_COSINE: linear warm-up over {@code warmupEpochs}, then cosine
 *                        decay to {@code minLearningRate} at the last update; fixed before training starts
 * @param warmupEpochs    epochs of linear warm-up (WARMUP_COSINE only)
 * @param minLearningRate the rate at the end of the cosine decay
 * @param averageFrom     SWA: from this fraction of the epochs on, the weights at the end of every epoch are
 *                        averaged and the average is the model; 1 means no averaging (the last epoch's weights)
 * @param augmentation    what is done to each training batch (nothing enlarges the epoch)
 * @param evalEvery       held-out accuracy for the learning curves every this many epochs (and at the
 *                        last), with batch-norm statistics recomputed on the training data first; 0 never
 * @param clipGradientNorm when the global L2 norm of a batch's gradients exceeds this, they are scaled down
 *                        to it before the update; 0 is off (version 2 and before)
 * @param balanceClasses  each clip's loss weighted by {@code n / (k * n_c)} for the n training clips, k classes
 *                        and the n_c clips of its class, so every class weighs the same in the loss, as in UAR
 *                        (EmoDB has 127 angry clips and 46 disgusted); off in version 4 and before
 * @param speakerAdversarialWeight speaker-adversarial training ({@code MsSenet}): the weight of a
 *                        speaker head's loss on the pooled features, its cross-entropy against the
 *                        speakers (training the head) plus, with a strength rising from 0 to 1 over
 *                        training as {@code 2 / (1 + exp(-10 p)) - 1} (p the share of epochs done), the
 *                        frozen head's cross-entropy against the uniform distribution (training the
 *                        network below to leave the head uncertain); 0 is off
 */
public record TrainingOptions(int epochs, int batchSize, float learningRate, float beta1, float beta2, float epsilon,
    float labelSmoothing, long seed, Initialization initialization, Schedule schedule, int warmupEpochs,
    float minLearningRate, float averageFrom, Augmentation augmentation, int evalEvery,
    // left out of the JSON when 0, so records of runs from before it compare equal
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) float clipGradientNorm,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean balanceClasses,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) float speakerAdversarialWeight) {

  public enum Initialization { KERAS, DJL }

  public enum Schedule { CONSTANT, WARMUP_COSINE }

  /** Without gradient clipping. */
  public TrainingOptions(int epochs, int batchSize, float learningRate, float beta1, float beta2, float epsilon,
      float labelSmoothing, long seed, Initialization initialization, Schedule schedule, int warmupEpochs,
      float minLearningRate, float averageFrom, Augmentation augmentation, int evalEvery) {
    this(epochs, batchSize, learningRate, beta1, beta2, epsilon, labelSmoothing, seed, initialization, schedule,
        warmupEpochs, minLearningRate, averageFrom, augmentation, evalEvery, 0f);
  }

  /** Without class balancing. */
  public TrainingOptions(int epochs, int batchSize, float learningRate, float beta1, float beta2, float epsilon,
      float labelSmoothing, long seed, Initialization initialization, Schedule schedule, int warmupEpochs,
      float minLearningRate, float averageFrom, Augmentation augmentation, int evalEvery, float clipGradientNorm) {
    this(epochs, batchSize, learningRate, beta1, beta2, epsilon, labelSmoothing, seed, initialization, schedule,
        warmupEpochs, minLearningRate, averageFrom, augmentation, evalEvery, clipGradientNorm, false);
  }

  /** Without speaker-adversarial training. */
  public TrainingOptions(int epochs, int batchSize, float learningRate, float beta1, float beta2, float epsilon,
      float labelSmoothing, long seed, Initialization initialization, Schedule schedule, int warmupEpochs,
      float minLearningRate, float averageFrom, Augmentation augmentation, int evalEvery, float clipGradientNorm,
      boolean balanceClasses) {
    this(epochs, batchSize, learningRate, beta1, beta2, epsilon, labelSmoothing, seed, initialization, schedule,
        warmupEpochs, minLearningRate, averageFrom, augmentation, evalEvery, clipGradientNorm, balanceClasses, 0f);
  }

  public TrainingOptions {
    require(epochs >= 1 && batchSize >= 2, "epochs must be >= 1 and batch size >= 2 (batch norm), got "
        + epochs + " and " + batchSize);
    require(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got " + labelSmoothing);
    require(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate,
        "need 0 <= min learning rate <= learning rate, learning rate > 0, got " + minLearningRate + " and " + learningRate);
    require(epsilon > 0, "Adam epsilon must be positive, got " + epsilon);
    require(warmupEpochs >= 0 && warmupEpochs < epochs, "warm-up epochs must be in [0, epochs), got " + warmupEpochs);
    require(averageFrom > 0 && averageFrom <= 1, "average-from must be in (0, 1], got " + averageFrom);
    require(evalEvery >= 0, "eval-every must be >= 0, got " + evalEvery);
    require(clipGradientNorm >= 0 && Float.isFinite(clipGradientNorm),
        "the gradient clipping norm must be >= 0 (0 = off), got " + clipGradientNorm);
    if (initialization == null || schedule == null || augmentation == null) {
      throw new IllegalArgumentException("initialization, schedule and augmentation must be given");
    }
    require(speakerAdversarialWeight >= 0 && Float.isFinite(speakerAdversarialWeight),
        "the speaker-adversarial weight must be >= 0 (0 = off), got " + speakerAdversarialWeight);
    require(speakerAdversarialWeight == 0 || augmentation.mixupAlpha() == 0,
        "speaker-adversarial training needs each clip to be one speaker's: turn mixup off (--mixup-alpha 0)");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The reference code's training: constant rate, no averaging, no augmentation. */
  public static TrainingOptions reference(int epochs) {
    return new TrainingOptions(epochs, 64, 0.001f, 0.93f, 0.98f, 1e-8f, 0.1f, 42, Initialization.KERAS,
        Schedule.CONSTANT, 0, 0.001f, 1f, Augmentation.NONE, 10);
  }

  /** First epoch (1-based) whose weights enter the average. */
  public int firstAveragedEpoch() {
    return Math.min(epochs, (int) Math.floor(epochs * (double) averageFrom) + 1);
  }

  public boolean clipsGradients() {
    return clipGradientNorm > 0f;
  }

  public boolean speakerAdversarial() {
    return speakerAdversarialWeight > 0f;
  }

  /**
   * The confusion loss's strength in epoch {@code epoch} (1-based): {@code 2 / (1 + exp(-10 p)) - 1}
   * with p = (epoch - 1) / epochs, so the head first learns the speakers before the network is pushed
   * to hide them.
   */
  public float adversaryStrength(int epoch) {
    double p = (epoch - 1) / (double) epochs;
    return (float) (2 / (1 + Math.exp(-10 * p)) - 1);
  }

  public boolean averaging() {
    return averageFrom < 1f;
  }

  /** The learning rate of update {@code step} (0-based) when an epoch has {@code stepsPerEpoch} updates. */
  public float learningRateAt(long step, int stepsPerEpoch) {
    if (schedule == Schedule.CONSTANT) {
      return learningRate;
    }
    long warmup = (long) warmupEpochs * stepsPerEpoch;
    long total = (long) epochs * stepsPerEpoch;
    if (step < warmup) {
      return learningRate * (step + 1) / warmup;
    }
    double progress = total - warmup <= 1 ? 1 : (double) (step - warmup) / (total - warmup - 1);
    progress = Math.min(1, progress);
    return (float) (minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress)));
  }
}
