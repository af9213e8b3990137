package dev.ser.training.cli;

import dev.ser.cli.Cli;
import dev.ser.core.features.FeatureConfig;
import dev.ser.training.data.TelephoneChannel;
import dev.ser.training.data.TelephoneLine;
import dev.ser.training.train.Augmentation;
import dev.ser.training.train.CrossValidation;
import dev.ser.training.train.TrainingOptions;
import dev.ser.training.train.TrainingService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser train}: cross-validate, then train the final model on all data and save it. */
@Command(name = "ser train", sortOptions = false,
    description = "Trains MS-SENet on a corpus: cross-validation report (UAR/WAR), then a final model on all"
        + " clips, saved for export to ONNX.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--corpus", required = true, paramLabel = "NAME",
      description = "emodb, ravdess, savee, casia, emovo, iemocap, folders (one folder per label) or csv (manifest)")
  String corpus;

  @Option(names = "--data", required = true, paramLabel = "DIR|FILE.csv", description = "the corpus folder, or the CSV manifest")
  Path data;

  @Option(names = "--folds", defaultValue = "10", paramLabel = "K", description = "folds for k-fold (default ${DEFAULT-VALUE})")
  int folds;

  @Option(names = "--protocol", defaultValue = "kfold", paramLabel = "kfold|loso|tune|tune-loso",
      description = "kfold: stratified k-fold as in the papers; loso: leave one speaker out (unseen callers);"
          + " tune: for choosing settings, each split scored on a validation fold carved from the k-fold split's"
          + " training folds, never on its test fold; tune-loso: the same for unseen speakers, each split scored"
          + " on the next speaker, its own test speaker unused (tune protocols: no final model)")
  String protocol;

  @Option(names = "--epochs", defaultValue = "200", paramLabel = "N", description = "epochs per model (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--features", defaultValue = "timnet-emodb", paramLabel = "PRESET|FILE.json",
      description = "feature preset or FeatureConfig JSON; needs a fixed_length (default ${DEFAULT-VALUE})")
  String features;

  @Option(names = "--telephone-channel", defaultValue = "none", paramLabel = "none|mulaw|alaw",
      description = "pass every clip through G.711 at 8 kHz (the job's own codec) before its features; needs an 8 kHz"
          + " feature configuration, e.g. model-training/features/telephony-8k-emodb.json (default ${DEFAULT-VALUE})")
  String telephoneChannel;
  @Option(names = "--telephone-band-pass", description = "limit every clip to the telephone band, 300-3400 Hz, before"
      + " the codec (needs 8 kHz features)")
  boolean telephoneBandPass;
  @Option(names = "--telephone-packet-loss", defaultValue = "0", paramLabel = "P", description = "lose each 20 ms"
      + " packet with probability P after the codec, filled with silence as the job fills gaps; the same packets of a"
      + " clip every run (default ${DEFAULT-VALUE}; needs 8 kHz features)")
  double telephonePacketLoss;
  @Option(names = "--speaker-normalization", description = "standardise each clip's MFCCs by the mean and standard"
      + " deviation of its speaker's speech frames (unlabelled; a test speaker's own clips); cross-validation only")
  boolean speakerNormalization;
  @Option(names = "--speaker-normalization-clips", defaultValue = "0", paramLabel = "K", description = "the statistics"
      + " of each clip from K of its speaker's clips (itself and K-1 others at random), as a call that has heard K"
      + " utterances; 1: the clip alone; 0 (default): all")
  int speakerNormalizationClips;
  @Option(names = "--speaker-prior-frames", paramLabel = "T", description = "with --speaker-normalization: move each"
      + " clip's MFCCs (no scaling) by its speaker's offset from the corpus mean, times n / (n + T) for n speech"
      + " frames, as online cepstral mean normalisation with a prior worth T frames; without it: standardise")
  Double speakerPriorFrames;
  @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N") int batchSize;
  @Option(names = "--learning-rate", defaultValue = "0.001", paramLabel = "LR", description = "peak rate (default ${DEFAULT-VALUE})")
  float learningRate;
  @Option(names = "--beta1", defaultValue = "0.93", paramLabel = "B") float beta1;
  @Option(names = "--beta2", defaultValue = "0.98", paramLabel = "B") float beta2;
  @Option(names = "--epsilon", defaultValue = "1e-8", paramLabel = "E", description = "Adam epsilon (default ${DEFAULT-VALUE}, as the reference code)")
  float epsilon;
  @Option(names = "--label-smoothing", defaultValue = "0.1", paramLabel = "E") float labelSmoothing;
  @Option(names = "--seed", defaultValue = "42", paramLabel = "N") long seed;

  @Option(names = "--fold-seed", paramLabel = "N", description = {"the seed that deals the k-fold and tuning folds"
      + " (default: --seed); runs with other --seed values and the same --fold-seed test the same clips per fold,"
      + " so ser report --folds A --folds B scores their seed ensemble"})
  Long foldSeed;

  @Option(names = "--save-fold-models", description = {"keep each fold's trained model in folds/fold-NN-model/"
      + " (about 0.5 MB each), so the run can teach a distilled one (--teacher)"})
  boolean saveFoldModels;

  @Option(names = "--teacher", paramLabel = "DIR", description = {"knowledge distillation: the --out folder of a run"
      + " of the same data and folds made with --save-fold-models; each fold learns also from the teacher's model of"
      + " that fold, the final model from the teacher's final model; given several times, from their seed"
      + " ensemble (mean probabilities)"})
  List<Path> teachers = new java.util.ArrayList<>();

  @Option(names = "--distillation-weight", paramLabel = "W", description = {"with --teacher:"
      + " the teachers' share of each clip's target, the labels' the rest (default 0.5)"})
  Float distillationWeight;
  @Option(names = "--init", defaultValue = "keras", paramLabel = "keras|djl",
      description = "keras: glorot-uniform kernels, zero biases (the reference); djl: DJL's He-normal (version 1)")
  String init;
  @Option(names = "--schedule", defaultValue = "warmup-cosine", paramLabel = "constant|warmup-cosine",
      description = "learning-rate schedule, fixed before training (default ${DEFAULT-VALUE})")
  String schedule;
  @Option(names = "--warmup-epochs", defaultValue = "5", paramLabel = "N") int warmupEpochs;
  @Option(names = "--min-learning-rate", defaultValue = "0.00001", paramLabel = "LR", description = "end of the cosine decay")
  float minLearningRate;
  @Option(names = "--average-from", defaultValue = "0.75", paramLabel = "F",
      description = "SWA: average the weights of every epoch from this fraction of training on; 1 = last epoch only (default ${DEFAULT-VALUE})")
  float averageFrom;
  @Option(names = "--eval-every", defaultValue = "10", paramLabel = "N",
      description = "held-out accuracy for the learning curves every N epochs, never used to choose anything; 0 = never")
  int evalEvery;
  @Option(names = "--augment-probability", defaultValue = "0.8", paramLabel = "P",
      description = "share of training clips shifted, masked and gain-changed (0 = none)")
  float augmentProbability;
  @Option(names = "--shift-frames", defaultValue = "20", paramLabel = "N") int shiftFrames;
  @Option(names = "--time-masks", defaultValue = "2", paramLabel = "N") int timeMasks;
  @Option(names = "--time-mask-width", defaultValue = "12", paramLabel = "N") int timeMaskWidth;
  @Option(names = "--coefficient-masks", defaultValue = "1", paramLabel = "N") int coefficientMasks;
  @Option(names = "--coefficient-mask-width", defaultValue = "4", paramLabel = "N") int coefficientMaskWidth;
  @Option(names = "--gain-db", defaultValue = "6", paramLabel = "DB") float gainDb;
  @Option(names = "--mixup-alpha", defaultValue = "0", paramLabel = "A", description = "mixup Beta(a, a); 0 = off")
  float mixupAlpha;
  @Option(names = "--vtlp-max-warp", defaultValue = "0", paramLabel = "W",
      description = "vocal tract length perturbation: clips may be trained on as if spoken by a vocal tract warped by"
          + " 1 +- W/2 or 1 +- W (features over a warped frequency axis); 0 = off")
  float vtlpMaxWarp;
  @Option(names = "--vtlp-probability", defaultValue = "0.5", paramLabel = "P",
      description = "share of training clips replaced by a warped version when --vtlp-max-warp > 0 (default ${DEFAULT-VALUE})")
  float vtlpProbability;
  @Option(names = "--speed-max-change", defaultValue = "0", paramLabel = "S",
      description = "speed perturbation: training clips may be replaced by their audio played at 1 - S and 1 + S times"
          + " their speed (tempo and pitch), features recomputed; 0 = off, at most 0.3 (default ${DEFAULT-VALUE})")
  float speedMaxChange;
  @Option(names = "--speed-probability", defaultValue = "0.3", paramLabel = "P",
      description = "share of training clips replaced by a version at another speed when --speed-max-change > 0"
          + " (default ${DEFAULT-VALUE})")
  float speedProbability;
  @Option(names = "--clip-gradient-norm", defaultValue = "0", paramLabel = "N",
      description = "scale a batch's gradients down to this global L2 norm when they exceed it; 0 = off (default ${DEFAULT-VALUE})")
  float clipGradientNorm;
  @Option(names = "--balance-classes",
      description = "weight each clip's loss by n / (k * n_c) of its class (n training clips, k classes, n_c of"
          + " its class), so every class counts the same, as in UAR")
  boolean balanceClasses;
  @Option(names = "--speaker-adversarial-weight", defaultValue = "0",
      description = "speaker-adversarial training: a head learns to tell the training speakers apart from the pooled"
          + " features, and the network learns to leave it uncertain (its loss against the uniform distribution);"
          + " this weighs both losses; 0 is off (default: ${DEFAULT-VALUE})")
  float speakerAdversarialWeight;
  @Option(names = "--reference-recipe",
      description = "the reference code's training exactly: constant rate, last epoch, no augmentation (overrides the recipe options)")
  boolean referenceRecipe;
  @Option(names = "--filters", defaultValue = "39", paramLabel = "N") int filters;
  @Option(names = "--blocks", paramLabel = "N", description = "temporal-aware blocks (default: enough to cover the input)")
  Integer blocks;
  @Option(names = "--fusion-dropout", defaultValue = "0.2", paramLabel = "P") float fusionDropout;
  @Option(names = "--temporal-dropout", defaultValue = "0.1", paramLabel = "P") float temporalDropout;

  @Option(names = "--raw-input",
      description = "feed raw MFCCs as the reference does, without the per-coefficient standardisation kept in the model")
  boolean rawInput;

  @Option(names = "--resume", description = "continue a run in --out: finished folds are kept if their settings are identical")
  boolean resume;

  @Option(names = "--stop-after-folds", defaultValue = "0", paramLabel = "N",
      description = "train at most N folds in this call, then stop (continue with --resume)")
  int stopAfterFolds;

  @Option(names = "--start-fold", defaultValue = "1", paramLabel = "N",
      description = "try fold N first, the others after it in order, wrapping round (a second worker can start at the"
          + " other end; default ${DEFAULT-VALUE})")
  int startFold;

  @Option(names = "--final-exclude", paramLabel = "DIR",
      description = "leave the WAV files named in DIR out of the final model (e.g. samples/emodb, the demo's clips)")
  Path finalExclude;

  @Option(names = "--limit", paramLabel = "N", description = "use only the first N clips per label (quick runs)")
  Integer limitPerLabel;

  @Option(names = "--skip-final", description = "only cross-validate; do not train and save the final model")
  boolean skipFinal;

  @Option(names = "--model-name", paramLabel = "NAME", description = "default: ms-senet-CORPUS")
  String modelName;

  @Option(names = "--model-version", defaultValue = "1", paramLabel = "V", description = "default: ${DEFAULT-VALUE}")
  String modelVersion;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "where report.json and the final model go")
  Path out;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  public static void main(String[] args) {
    Cli.run(new TrainCommand(), args);
  }

  @Override
  public Integer call() throws IOException {
    TrainingService.run(request(), System.err);
    return 0;
  }

  /** The training these options ask for ({@code ser refresh} parses its pass-through options into one). */
  public TrainingService.Request request() throws IOException {
    CrossValidation.Protocol proto = switch (protocol.toLowerCase(Locale.ROOT)) {
      case "kfold" -> CrossValidation.Protocol.KFOLD;
      case "loso" -> CrossValidation.Protocol.LOSO;
      case "tune" -> CrossValidation.Protocol.TUNE;
      case "tune-loso" -> CrossValidation.Protocol.TUNE_LOSO;
      default -> throw new IllegalArgumentException("--protocol must be kfold, loso, tune or tune-loso, got " + protocol);
    };
    FeatureConfig featureConfig = features.endsWith(".json")
        ? FeatureConfig.fromJson(Files.readString(Path.of(features))) : FeatureConfig.preset(features);
    Set<String> exclude = new TreeSet<>();
    if (finalExclude != null) {
      try (var files = Files.list(finalExclude)) {
        files.map(p -> p.getFileName().toString()).filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".wav")).forEach(exclude::add);
      }
      if (exclude.isEmpty()) {
        throw new IllegalArgumentException("--final-exclude " + finalExclude + " holds no .wav file");
      }
    }
    return new TrainingService.Request(corpus, data, featureConfig, proto, folds, limitPerLabel, filters, blocks,
        fusionDropout, temporalDropout, !rawInput && !referenceRecipe, trainingOptions(), skipFinal, exclude, modelName,
        modelVersion, out, resume, stopAfterFolds, startFold, new TelephoneLine(
        TelephoneChannel.parse(telephoneChannel), telephoneBandPass, telephonePacketLoss), speakerNormalization,
        speakerNormalizationClips, speakerPriorFrames, foldSeed, saveFoldModels, teachers,
        distillationWeight(distillationWeight, teachers));
  }

  /** The given weight, 0.5 with teachers where none is given; a weight without teachers is refused. */
  static float distillationWeight(Float given, List<Path> teachers) {
    if (teachers.isEmpty()) {
      if (given != null) {
        throw new IllegalArgumentException("--distillation-weight needs --teacher: there is nothing to distil from");
      }
      return 0f;
    }
    return given != null ? given : 0.5f;
  }

  TrainingOptions trainingOptions() {
    TrainingOptions.Initialization initialization = switch (init.toLowerCase(Locale.ROOT)) {
      case "keras" -> TrainingOptions.Initialization.KERAS;
      case "djl" -> TrainingOptions.Initialization.DJL;
      default -> throw new IllegalArgumentException("--init must be keras or djl, got " + init);
    };
    if (referenceRecipe) {
      return new TrainingOptions(epochs, batchSize, learningRate, beta1, beta2, epsilon, labelSmoothing, seed,
          initialization, TrainingOptions.Schedule.CONSTANT, 0, learningRate, 1f, Augmentation.NONE, evalEvery);
    }
    TrainingOptions.Schedule s = switch (schedule.toLowerCase(Locale.ROOT)) {
      case "constant" -> TrainingOptions.Schedule.CONSTANT;
      case "warmup-cosine" -> TrainingOptions.Schedule.WARMUP_COSINE;
      default -> throw new IllegalArgumentException("--schedule must be constant or warmup-cosine, got " + schedule);
    };
    Augmentation augmentation = new Augmentation(shiftFrames, timeMasks, timeMaskWidth, coefficientMasks,
        coefficientMaskWidth, gainDb, mixupAlpha, augmentProbability, vtlpMaxWarp, vtlpMaxWarp > 0 ? vtlpProbability : 0f, speedMaxChange,
        speedMaxChange > 0 ? speedProbability : 0f);
    return new TrainingOptions(epochs, batchSize, learningRate, beta1, beta2, epsilon, labelSmoothing, seed,
        initialization, s, s == TrainingOptions.Schedule.CONSTANT ? 0 : Math.min(warmupEpochs, epochs - 1),
        s == TrainingOptions.Schedule.CONSTANT ? learningRate : minLearningRate, averageFrom, augmentation, evalEvery,
        clipGradientNorm, balanceClasses, speakerAdversarialWeight);
  }
}
