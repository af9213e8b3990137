package dev.ser.training.train;

import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.training.data.Corpus;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.data.SpeakerNormalization;
import dev.ser.training.data.TelephoneLine;
import dev.ser.training.data.LabeledClip;
import dev.ser.training.export.ModelExport;
import dev.ser.training.model.ModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The training chain behind {@code ser train} and {@code ser refresh}: features, cross-validation
 * (resumable, fold by fold), report, final model with its temperature, ONNX export and checksum.
 */
public final class TrainingService {

  /**
   * What to train.
   *
   * @param limitPerLabel  only the first N clips of each label (quick runs); null for all
   * @param finalExclude   clip file names left out of the final model's training data (the demo
   *                       samples, so the demo measures agreement on unseen audio); cross-validation
   *                       uses every clip
   * @param stopAfterFolds train at most this many folds in this call, 0 for all
   * @param startFold      the fold (1-based) this call tries first; the others follow in order, wrapping round
   * @param channel        the telephone channel each clip's audio goes through before its features
   * @param modelBlocks    temporal-aware blocks, null for enough to cover the input
   * @param speakerNormalization standardise every clip's MFCCs by its speaker's statistics
   *                       ({@link SpeakerNormalization}), augmented versions too
   * @param speakerNormalizationClips how many of the speaker's clips (the clip and others at random)
   *                       the statistics come from; 0 for all
   * @param speakerPriorFrames with speaker normalisation: null to standardise; otherwise move each
   *                       clip (no scaling) by its speaker's offset from the corpus mean, shrunk by a
   *                       prior worth this many frames ({@link SpeakerNormalization#fitMeanShift})
   * @param saveFoldModels keep every fold's model beside its record (a teacher run for distillation)
   * @param teachers       runs whose models' mean probabilities the student also learns from
   *                       ({@link Distillation}); empty for none
   * @param distillationWeight the teachers' share of each target row, in (0, 1] with teachers
   * @param foldSeed       the seed that deals the k-fold (and tuning) folds; null for the training seed,
   *                       as before it existed. Runs that differ only in the training seed but share
   *                       a fold seed test the same clips per fold, so their seed ensemble can be scored
   */
  public record Request(String corpus, Path data, FeatureConfig features, CrossValidation.Protocol protocol, int folds,
      Integer limitPerLabel, int filters, Integer modelBlocks, float fusionDropout, float temporalDropout,
      boolean normalizeInput,
      TrainingOptions options, boolean skipFinal, Set<String> finalExclude, String modelName, String modelVersion,
      Path out, boolean resume, int stopAfterFolds, int startFold, TelephoneLine line, boolean speakerNormalization,
      int speakerNormalizationClips, Double speakerPriorFrames, Long foldSeed, boolean saveFoldModels,
      List<Path> teachers, float distillationWeight) {

    /** The seed of the folds: {@link #foldSeed}, or the training seed where it is not given. */
    public long foldsSeed() {
      return foldSeed != null ? foldSeed : options.seed();
    }

    public Request {
      if (speakerPriorFrames != null && !speakerNormalization) {
        throw new IllegalArgumentException("--speaker-prior-frames needs --speaker-normalization");
      }
      if (speakerNormalization && speakerPriorFrames == null && options.augmentation().gainDb() > 0) {
        // the gain augmentation moves c0 by dB times sqrt(128), about 0.4 of a speaker's c0 spread in raw
        // MFCCs but dozens of standard deviations in standardised ones: it broke training (tune-loso, 49 %)
        throw new IllegalArgumentException("--speaker-normalization standardises the MFCCs, and the gain"
            + " augmentation adds decibels to c0 as if they were not: pass --gain-db 0 (the statistics remove a"
            + " caller's level anyway)");
      }
      if (speakerNormalizationClips != 0 && !speakerNormalization) {
        throw new IllegalArgumentException("--speaker-normalization-clips needs --speaker-normalization");
      }
      if (speakerNormalization && !skipFinal && !protocol.tuning()) {
        throw new IllegalArgumentException("--speaker-normalization trains a model for per-speaker standardised"
            + " features, which the stream job does not compute yet: pass --skip-final");
      }
    }
  }

  /**
   * What came out. {@code complete} is false when some fold is not finished (stopped, or another
   * process is training it); then there is no report and no model yet.
   */
  public record Result(boolean complete, List<FoldRecord> folds, ObjectNode report, Path reportFile, Path onnx) {}

  private TrainingService() {}

  public static Result run(Request r, PrintStream log) throws IOException {
    long start = System.nanoTime();
    Corpus source = Corpus.named(r.corpus(), r.data());
    List<LabeledClip> clips = source.load(r.data());
    if (r.limitPerLabel() != null) {
      clips = clips.stream().collect(java.util.stream.Collectors.groupingBy(LabeledClip::label,
              java.util.LinkedHashMap::new, java.util.stream.Collectors.toList()))
          .values().stream().flatMap(l -> l.stream().limit(r.limitPerLabel())).toList();
    }
    Files.createDirectories(r.out());
    FeatureSet set = FeatureSet.compute(clips, source.labels(), r.features(), r.out().resolve("feature-cache"),
        r.line());
    log.printf(Locale.ROOT, "%s: %d clips, %d labels, features %d x %d (%d from cache)%n", source.name(), set.size(),
        set.labels().size(), set.frames(), r.features().nMfcc(), set.cached());
    ModelConfig modelConfig = new ModelConfig(set.frames(), r.features().nMfcc(), set.labels().size(), r.filters(),
        r.modelBlocks() != null ? r.modelBlocks() : ModelConfig.blocksFor(set.frames()), r.fusionDropout(),
        r.temporalDropout(), r.normalizeInput(), r.options().speakerAdversarial() ? set.speakers().size() : 0);
    ObjectNode settings = settings(source.name(), r, set, modelConfig);
    List<String> speakers = set.clips().stream().map(LabeledClip::speaker).toList();
    List<String> names = set.clips().stream().map(c -> c.audio().getFileName().toString()).toList();
    SpeakerNormalization byspeaker = !r.speakerNormalization() ? null : r.speakerPriorFrames() == null
        ? SpeakerNormalization.fit(set.x(), speakers, r.features().nMfcc(), r.speakerNormalizationClips(), names)
        : SpeakerNormalization.fitMeanShift(set.x(), speakers, r.features().nMfcc(), r.speakerNormalizationClips(),
            names, r.speakerPriorFrames());
    if (byspeaker != null) {
      set = new FeatureSet(set.config(), set.labels(), set.clips(), byspeaker.apply(set.x()), set.y(), set.cached(),
          set.line());
    }

    List<CrossValidation.Split> folds = CrossValidation.splits(set, r.protocol(), r.folds(), r.foldsSeed());
    Augmentation augmentation = r.options().augmentation();
    float[][][] warped = augmentation.hasVersions()
        ? set.versions(augmentation.vtlpFactors(), augmentation.speedFactors()) : null;
    if (warped != null && byspeaker != null) {
      warped = byspeaker.apply(warped); // by the statistics of the clip, unwarped
    }
    Distillation distillation = r.teachers().isEmpty() ? null
        : Distillation.of(r.teachers(), r.distillationWeight(), settings);
    if (distillation != null) {
      settings.set("distillation", distillation.describe()); // absent without teachers, as before it existed
    }
    List<FoldRecord> records = CrossValidation.run(set, warped, modelConfig, r.options(), folds, settings,
        r.out().resolve("folds"), r.resume(), r.stopAfterFolds(), r.startFold(), r.saveFoldModels(), distillation, log);
    if (records.isEmpty()) {
      log.println("not every fold is finished yet; run the same command with --resume to go on");
      return new Result(false, List.of(), null, null, null);
    }
    ObjectNode report = CrossValidationReport.build(records, set.labels(), settings, source.name(), set.size(),
        (System.nanoTime() - start) / 1e9);
    Path reportFile = r.out().resolve("report.json");
    CrossValidationReport.write(report, reportFile);
    log.printf(Locale.ROOT, "cross-validation: UAR %.2f ± %.2f %%, WAR %.2f ± %.2f %%, ECE %.3f -> %.3f -> %s%n",
        100 * report.at("/summary/uar_mean").asDouble(), 100 * report.at("/summary/uar_std").asDouble(),
        100 * report.at("/summary/war_mean").asDouble(), 100 * report.at("/summary/war_std").asDouble(),
        report.at("/summary/ece_before").asDouble(), report.at("/summary/ece_after").asDouble(), reportFile);

    Path onnx = null;
    if (!r.skipFinal() && !r.protocol().tuning()) {
      onnx = trainFinal(r, set, warped, modelConfig, report, distillation, log);
    }
    report.with("summary").put("wall_seconds", (System.nanoTime() - start) / 1e9);
    CrossValidationReport.write(report, reportFile);
    ReportRenderer.render(reportFile);
    log.println("report: " + r.out().resolve("report.md"));
    return new Result(true, records, report, reportFile, onnx);
  }

  private static Path trainFinal(Request r, FeatureSet set, float[][][] warped, ModelConfig modelConfig,
      ObjectNode report, Distillation distillation, PrintStream log) throws IOException {
    int[] keep = java.util.stream.IntStream.range(0, set.size())
        .filter(i -> !r.finalExclude().contains(set.clips().get(i).audio().getFileName().toString())).toArray();
    float[][] x = new float[keep.length][];
    float[][][] xWarped = warped == null ? null : new float[keep.length][][];
    int[] y = new int[keep.length];
    int[] speakers = modelConfig.speakers() == 0 ? null : new int[keep.length];
    int[] speakerIndex = set.speakerIndex();
    for (int i = 0; i < keep.length; i++) {
      x[i] = set.x()[keep[i]];
      if (warped != null) {
        xWarped[i] = warped[keep[i]];
      }
      y[i] = set.y()[keep[i]];
      if (speakers != null) {
        speakers[i] = speakerIndex[keep[i]];
      }
    }
    double temperature = report.at("/calibration/final_temperature").asDouble();
    ObjectNode summary = report.with("summary");
    summary.put("final_model_clips", keep.length);
    summary.put("final_model_excluded_clips", set.size() - keep.length);
    var excludedNames = summary.putArray("final_model_excluded"); // the demo tells from this whether it measures unseen clips
    java.util.stream.IntStream.range(0, set.size())
        .filter(i -> r.finalExclude().contains(set.clips().get(i).audio().getFileName().toString()))
        .forEach(i -> excludedNames.add(set.clips().get(i).audio().getFileName().toString()));
    Path finalDir = r.out().resolve("final");
    Files.createDirectories(finalDir);
    Progress progress = new Progress(log, r.options().epochs());
    ModelMetadata metadata = new ModelMetadata(r.modelName() != null ? r.modelName() : "ms-senet-" + report.at("/summary/corpus").asText(),
        r.modelVersion(), set.labels(), r.features(), report.at("/summary/corpus").asText(), summary.toString());
    List<String> excluded = new java.util.ArrayList<>();
    excludedNames.forEach(n -> excluded.add(n.asText()));
    SoftTargets soft = distillation == null ? null : distillation.forFinal(x, excluded);
    try (Model model = MsSenetTrainer.newModel(modelConfig)) {
      MsSenetTrainer.train(model, modelConfig, r.options(), x, xWarped, y, speakers, soft, null, null,
          s -> progress.advance(1, String.format(Locale.ROOT, "final model epoch %d/%d loss %.3f acc %.3f%s",
              s.epoch(), r.options().epochs(), s.loss(), s.trainAccuracy(), CrossValidation.rollbackNote(s))));
      model.save(finalDir, "ms-senet");
      ModelExport.writeDescription(finalDir, modelConfig, metadata, temperature);
      Path onnx = r.out().resolve(metadata.name() + ".onnx");
      double diff = ModelExport.export(model, modelConfig, metadata, temperature, onnx);
      ModelChecksum.writeSidecar(onnx); // the stream job loads only verified models
      summary.put("onnx_parity_max_abs_diff", diff);
      log.printf(Locale.ROOT, "final model: %s on %d clips, temperature %.3f (ONNX Runtime vs DJL max |diff| %.2e)%n",
          onnx, keep.length, temperature, diff);
      return onnx;
    }
  }

  /** Everything that decides a fold's result; a resumed run must match it exactly. */
  static ObjectNode settings(String corpus, Request r, FeatureSet set, ModelConfig modelConfig) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode s = json.createObjectNode();
    s.put("corpus", corpus);
    s.put("protocol", r.protocol().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    s.put("folds", r.protocol().bySpeaker() ? 0 : r.folds());
    if (r.foldsSeed() != r.options().seed()) {
      s.put("fold_seed", r.foldsSeed()); // absent when the training seed deals the folds, as before it existed
    }
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < set.size(); i++) {
      list.append(set.clips().get(i).audio().getFileName()).append(',').append(set.labels().get(set.y()[i]))
          .append(',').append(set.clips().get(i).speaker()).append('\n');
    }
    s.put("clips", set.size());
    s.put("clips_sha256", FeatureSet.sha256(list.toString()));
    JsonNode features = json.readTree(set.config().toJson());
    s.set("feature_config", features);
    set.line().describe(s); // nothing for no line, as before
    if (r.speakerNormalization()) {
      s.put("speaker_normalization", true); // absent when off, as in records from before it
      if (r.speakerNormalizationClips() > 0) {
        s.put("speaker_normalization_clips", r.speakerNormalizationClips());
      }
      if (r.speakerPriorFrames() != null) { // absent for standardisation, as in records from before the shift
        s.put("speaker_normalization_mode", "mean-shift");
        s.put("speaker_prior_frames", r.speakerPriorFrames());
      }
    }
    s.set("model_config", json.valueToTree(modelConfig));
    s.set("training_options", json.valueToTree(r.options()));
    // as a record file will read back (floats become doubles), so a resumed run compares like with like
    return (ObjectNode) json.readTree(json.writeValueAsString(s));
  }
}
