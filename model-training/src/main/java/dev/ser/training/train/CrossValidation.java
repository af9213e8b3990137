package dev.ser.training.train;

import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.eval.Folds;
import dev.ser.training.eval.Metrics;
import dev.ser.training.model.ModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation protocol: k-fold (stratified, fixed seed) or leave-one-speaker-out; per fold a
 * fresh model is trained on the other folds with a recipe fixed before training, and the model it
 * ends with is scored on the held-out fold (no epoch or model is ever selected on test data). Each
 * finished fold is written as a {@link FoldRecord}; {@link CrossValidationReport} turns the records
 * into {@code report.json}, and {@link ReportRenderer} that into {@code report.md} and charts.
 */
public final class CrossValidation {

  /**
   * KFOLD: stratified k-fold, the papers' protocol. LOSO: leave one speaker out. TUNE: the
   * protocol for choosing settings without touching a test fold: split f trains on the k-fold
   * split's folds other than f and f+1 and is scored on fold f+1, a validation fold carved from
   * fold f's training folds; fold f itself is not used. TUNE_LOSO: the same for unseen speakers:
   * split f trains on the speakers other than LOSO fold f's and the next one's and is scored on the
   * next speaker; speaker f, that LOSO fold's test speaker, is not used.
   */
  public enum Protocol {
    KFOLD, LOSO, TUNE, TUNE_LOSO;

    /** Whether it only chooses settings (no report of record, no final model). */
    public boolean tuning() {
      return this == TUNE || this == TUNE_LOSO;
    }

    /** Whether its folds are speakers. */
    public boolean bySpeaker() {
      return this == LOSO || this == TUNE_LOSO;
    }
  }

  /** One model's data: the clips it trains on and the clips it is scored on. */
  public record Split(List<Integer> train, List<Integer> heldOut) {}

  private CrossValidation() {}

  public static List<Split> splits(FeatureSet data, Protocol protocol, int k, long seed) {
    List<String> labels = data.clips().stream().map(c -> c.label()).toList();
    List<Split> out = new ArrayList<>();
    switch (protocol) {
      case KFOLD -> Folds.stratifiedKFold(labels, k, seed)
          .forEach(f -> out.add(new Split(Folds.complement(f, data.size()), f)));
      case LOSO -> Folds.leaveOneSpeakerOut(data.clips().stream().map(c -> c.speaker()).toList())
          .forEach(f -> out.add(new Split(Folds.complement(f, data.size()), f)));
      case TUNE -> carveValidation(Folds.stratifiedKFold(labels, k, seed), data.size(), out);
      case TUNE_LOSO -> carveValidation(Folds.leaveOneSpeakerOut(data.clips().stream().map(c -> c.speaker()).toList()),
          data.size(), out);
      default -> throw new IllegalStateException(protocol.toString());
    }
    return out;
  }

  /** Split f: scored on fold f + 1, trained on the folds other than f and f + 1 (fold f, a test fold, unused). */
  /** " rolled back N (what broke)" for an epoch that had to be drawn again, else "". */
  static String rollbackNote(EpochStats s) {
    return s.rolledBack() == 0 ? "" : " rolled back " + s.rolledBack() + " (" + s.rollbackReason() + ")";
  }

  private static void carveValidation(List<List<Integer>> folds, int size, List<Split> out) {
    int k = folds.size();
    for (int f = 0; f < k; f++) {
      List<Integer> both = new ArrayList<>(folds.get(f));
      both.addAll(folds.get((f + 1) % k));
      out.add(new Split(Folds.complement(both, size), folds.get((f + 1) % k)));
    }
  }

  /**
   * Trains the folds that have no record in {@code dir} yet and writes each one's record as soon
   * as it is finished. A fold another process is training (it holds {@code fold-NN.lock}) is
   * skipped, so two processes can share one run. Existing records must have been made with
   * {@code settings}; with {@code resume} false, any existing record is refused.
   *
   * @param warped    the clips' warped versions for the augmentation ({@link FeatureSet#warped}), or null
   * @param stopAfter train at most this many folds in this call (0: no limit)
   * @param startFold the fold tried first; the others follow it in order, wrapping round
   * @param saveModels also keep each fold's trained model, in {@code fold-NN-model/} beside its
   *                  record (written before the record), e.g. as a teacher for {@link Distillation}
   * @param distillation the teachers whose fold models give each fold's soft targets, or null
   * @return the records of all folds, or an empty list when some fold is not finished yet
   */
  public static List<FoldRecord> run(FeatureSet data, float[][][] warped, ModelConfig modelConfig,
      TrainingOptions options, List<Split> folds, JsonNode settings, Path dir, boolean resume, int stopAfter,
      int startFold, boolean saveModels, Distillation distillation, PrintStream log) throws IOException {
    if (startFold < 1 || startFold > folds.size()) {
      throw new IllegalArgumentException("--start-fold must be between 1 and " + folds.size() + ", got " + startFold);
    }
    Files.createDirectories(dir);
    int finished = 0;
    for (int f = 1; f <= folds.size(); f++) {
      Path file = FoldRecord.file(dir, f);
      if (Files.exists(file)) {
        if (!resume) {
          throw new IllegalStateException(dir + " already holds fold records (" + file.getFileName()
              + "); pass --resume to continue that run, or choose another --out");
        }
        check(FoldRecord.read(file), settings, file);
        finished++;
      }
    }
    if (finished > 0) {
      log.printf(Locale.ROOT, "resuming: %d of %d folds already finished in %s%n", finished, folds.size(), dir);
    }
    Progress progress = new Progress(log, (long) (folds.size() - finished) * options.epochs());
    int trained = 0;
    for (int i = 0; i < folds.size(); i++) {
      int f = (startFold - 1 + i) % folds.size() + 1;
      if (stopAfter > 0 && trained >= stopAfter) {
        log.printf(Locale.ROOT, "stopped after %d fold(s) as asked; run again with --resume to continue%n", trained);
        break;
      }
      Path file = FoldRecord.file(dir, f);
      if (Files.exists(file)) {
        continue;
      }
      try (FileChannel channel = FileChannel.open(dir.resolve(String.format(Locale.ROOT, "fold-%02d.lock", f)),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
        if (lock == null || Files.exists(file)) {
          continue; // another process has it, or has just finished it
        }
        FoldRecord record = trainFold(data, warped, modelConfig, options, folds.get(f - 1), f, folds.size(), settings,
            progress, saveModels ? modelDir(dir, f) : null, distillation);
        record.write(dir);
        trained++;
        Metrics m = Metrics.of(data.labels(), record.truth(), record.predicted());
        log.printf(Locale.ROOT, "fold %d/%d: %d held-out clips, UAR %.2f %%, WAR %.2f %% -> %s%n", f, folds.size(),
            record.test().size(), 100 * m.uar(), 100 * m.war(), file);
      }
    }
    List<FoldRecord> records = new ArrayList<>();
    for (int f = 1; f <= folds.size(); f++) {
      Path file = FoldRecord.file(dir, f);
      if (!Files.exists(file)) {
        return List.of();
      }
      records.add(FoldRecord.read(file));
    }
    return records;
  }

  /** Where {@code run --save-fold-models} keeps fold {@code fold}'s model. */
  public static Path modelDir(Path foldsDir, int fold) {
    return foldsDir.resolve(String.format(Locale.ROOT, "fold-%02d-model", fold));
  }

  private static void check(FoldRecord record, JsonNode settings, Path file) {
    String difference = FoldRecord.difference(settings, record.settings(), "");
    if (difference != null) {
      throw new IllegalStateException(file + " was trained with other settings than this run (" + difference
          + "); use the same settings to resume, or another --out");
    }
  }

  /**
   * One fold: a fresh model trained on the other folds with a seed of its own (so a fold gives the
   * same result whether or not the folds before it ran in this process), scored on the held-out fold.
   */
  static FoldRecord trainFold(FeatureSet data, float[][][] warped, ModelConfig modelConfig, TrainingOptions options,
      Split split, int fold, int folds, JsonNode settings, Progress progress, Path saveTo, Distillation distillation)
      throws IOException {
    long start = System.nanoTime();
    List<Integer> train = split.train();
    List<Integer> test = split.heldOut();
    List<String> names = test.stream().map(i -> data.clips().get(i).audio().getFileName().toString()).toList();
    TrainingOptions foldOptions = withSeed(options, options.seed() + 1000L * fold);
    SoftTargets soft = distillation == null ? null : distillation.forFold(fold, rows(data.x(), train), names);
    try (Model model = MsSenetTrainer.newModel(modelConfig)) {
      List<EpochStats> curve = MsSenetTrainer.train(model, modelConfig, foldOptions, rows(data.x(), train),
          warped == null ? null : rows(warped, train), labels(data.y(), train),
          modelConfig.speakers() == 0 ? null : labels(data.speakerIndex(), train), soft, rows(data.x(), test),
          labels(data.y(), test),
          s -> progress.advance(1, String.format(Locale.ROOT, "fold %d/%d epoch %d/%d loss %.3f acc %.3f grad %.3g%s%s%s",
              fold, folds, s.epoch(), options.epochs(), s.loss(), s.trainAccuracy(), s.maxGradientNorm(),
              s.clippedSteps() == 0 ? "" : " clipped " + s.clippedSteps(), rollbackNote(s),
              Double.isNaN(s.heldOutAccuracy()) ? "" : String.format(Locale.ROOT, " held-out %.3f", s.heldOutAccuracy()))));
      float[][] logits = MsSenetTrainer.logits(model, modelConfig, rows(data.x(), test));
      if (saveTo != null) {
        Distillation.save(model, modelConfig, saveTo);
      }
      return new FoldRecord(fold, settings, names, labels(data.y(), test), logits, curve, (System.nanoTime() - start) / 1e9);
    }
  }

  static TrainingOptions withSeed(TrainingOptions o, long seed) {
    return new TrainingOptions(o.epochs(), o.batchSize(), o.learningRate(), o.beta1(), o.beta2(), o.epsilon(),
        o.labelSmoothing(), seed, o.initialization(), o.schedule(), o.warmupEpochs(), o.minLearningRate(),
        o.averageFrom(), o.augmentation(), o.evalEvery(), o.clipGradientNorm(), o.balanceClasses(),
        o.speakerAdversarialWeight());
  }

  static float[][][] rows(float[][][] x, List<Integer> idx) {
    float[][][] out = new float[idx.size()][][];
    for (int i = 0; i < out.length; i++) {
      out[i] = x[idx.get(i)];
    }
    return out;
  }

  static float[][] rows(float[][] x, List<Integer> idx) {
    float[][] out = new float[idx.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = x[idx.get(i)];
    }
    return out;
  }

  static int[] labels(int[] y, List<Integer> idx) {
    return idx.stream().mapToInt(i -> y[i]).toArray();
  }
}
