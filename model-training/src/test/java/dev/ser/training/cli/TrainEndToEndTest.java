package dev.ser.training.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.training.Samples;
import dev.ser.training.data.EmoDb;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.export.ModelExport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CI configuration of the training module, end to end on the 21 sample clips: 2 folds,
 * 2 epochs, report, final model, ONNX export with parity, re-export, and {@code ser score}.
 * The real EmoDB run is the documented {@code bin/ser train} command (docs/results/emodb).
 */
class TrainEndToEndTest {

  @TempDir
  static Path out;

  static JsonNode report;

  /** The recipe's options, all switched on, at CI size: warm-up, cosine, SWA, augmentation, mixup. */
  static final String[] RECIPE = {"--corpus", "emodb", "--data", Samples.emodb().toString(), "--folds", "2",
      "--epochs", "3", "--warmup-epochs", "1", "--average-from", "0.34", "--eval-every", "2", "--mixup-alpha", "0.4",
      "--model-version", "test-1"};

  static Path interrupted;
  static Path demoClips;

  @BeforeAll
  static void train() throws Exception {
    interrupted = Files.createDirectories(out.resolveSibling(out.getFileName() + "-interrupted"));
    demoClips = Files.createDirectories(out.resolveSibling(out.getFileName() + "-demo-clips"));
    // five clips stand for the demo's samples, which the final model must not train on
    for (String name : new String[] {"03a01Fa.wav", "03a01Wa.wav", "08a01Ab.wav", "09a01Ea.wav", "10b01Ea.wav"}) {
      Files.copy(Samples.emodb().resolve(name), demoClips.resolve(name));
    }
    int code = new CommandLine(new TrainCommand()).execute(concat(RECIPE, "--final-exclude",
        demoClips.toString(), "--limit", "100", "--out", out.toString()));
    assertThat(code).isZero();
    report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
  }

  static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void aRunBegunAtTheLastFoldStoppedAndResumedEqualsAnUninterruptedOne() throws Exception {
    String[] args = concat(RECIPE, "--skip-final", "--limit", "100", "--out", interrupted.toString());
    // begun at the last fold (so a worker can take the folds from another end): fold 2 only
    assertThat(new CommandLine(new TrainCommand()).execute(concat(args, "--start-fold", "2", "--stop-after-folds", "1")))
        .isZero();
    assertThat(interrupted.resolve("folds/fold-02.json")).exists();
    assertThat(interrupted.resolve("folds/fold-01.json")).doesNotExist();
    assertThat(interrupted.resolve("report.json")).doesNotExist();
    // without --resume the existing record is refused, with other settings too
    CommandLine refused = new CommandLine(new TrainCommand());
    StringWriter err = new StringWriter();
    refused.setErr(new PrintWriter(err, true));
    assertThat(refused.execute(args)).isNotZero();
    CommandLine other = new CommandLine(new TrainCommand());
    StringWriter otherErr = new StringWriter();
    other.setErr(new PrintWriter(otherErr, true));
    assertThat(other.execute(concat(args, "--resume", "--mixup-alpha", "0.2"))).isNotZero();
    assertThat(new CommandLine(new TrainCommand()).execute(concat(args, "--resume"))).isZero();
    JsonNode resumed = new ObjectMapper().readTree(interrupted.resolve("report.json").toFile());
    for (int f = 1; f <= 2; f++) {
      String name = String.format("folds/fold-%02d.json", f);
      JsonNode a = new ObjectMapper().readTree(out.resolve(name).toFile());
      JsonNode b = new ObjectMapper().readTree(interrupted.resolve(name).toFile());
      // same clips in the same order, same logits up to float rounding: PyTorch's vectorised
      // reductions may add in another order when buffers are aligned differently (seen: 1e-8)
      assertThat(b.get("test")).as(name).hasSameSizeAs(a.get("test"));
      for (int i = 0; i < a.get("test").size(); i++) {
        JsonNode x = a.get("test").get(i);
        JsonNode y = b.get("test").get(i);
        assertThat(y.get("clip")).isEqualTo(x.get("clip"));
        for (int k = 0; k < x.get("logits").size(); k++) {
          assertThat(y.get("logits").get(k).asDouble()).as(name + " " + x.get("clip") + " class " + k)
              .isCloseTo(x.get("logits").get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
    assertThat(resumed.at("/pooled")).isEqualTo(report.at("/pooled")); // same predictions, same confusion matrix
    assertThat(resumed.at("/calibration/final_temperature").asDouble())
        .isCloseTo(report.at("/calibration/final_temperature").asDouble(), org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void aNarrowbandRunWithEveryVersionTrainsOnTheAudioAsTheTelephoneChannelLeavesIt() throws Exception {
    Path narrow = Files.createDirectories(out.resolveSibling(out.getFileName() + "-narrowband"));
    Path features = Samples.emodb().getParent().resolveSibling("model-training/features/telephony-8k-emodb.json");
    int code = new CommandLine(new TrainCommand()).execute("--corpus", "emodb", "--data", Samples.emodb().toString(),
        "--folds", "2", "--epochs", "1", "--limit", "2", "--skip-final", "--features", features.toString(),
        "--telephone-channel", "mulaw", "--telephone-band-pass", "--telephone-packet-loss", "0.05",
        "--vtlp-max-warp", "0.1", "--speed-max-change", "0.1", "--speed-probability", "0.4", "--speaker-normalization",
        "--gain-db", "0", "--balance-classes", "--out", narrow.toString());
    assertThat(code).isZero();
    JsonNode settings = new ObjectMapper().readTree(narrow.resolve("folds/fold-01.json").toFile()).get("settings");
    assertThat(settings.get("telephone_channel").asText()).isEqualTo("mulaw");
    assertThat(settings.get("telephone_band_pass").asText()).isEqualTo("300-3400 Hz");
    assertThat(settings.get("telephone_packet_loss").asDouble()).isEqualTo(0.05);
    assertThat(settings.get("speaker_normalization").asBoolean()).isTrue();
    assertThat(settings.at("/training_options/balanceClasses").asBoolean()).isTrue();
    assertThat(settings.at("/feature_config/sample_rate").asInt()).isEqualTo(8000);
    assertThat(settings.at("/model_config/frames").asInt()).isEqualTo(188);
    // the versions of each clip (warped, faster, slower) are made from the audio as the line leaves it
    assertThat(settings.at("/training_options/augmentation/speedMaxChange").floatValue()).isEqualTo(0.1f);
    assertThat(settings.at("/training_options/augmentation/speedProbability").floatValue()).isEqualTo(0.4f);
    assertThat(settings.at("/training_options/augmentation/vtlpMaxWarp").floatValue()).isEqualTo(0.1f);
    // the wideband run's records carry no channel: as before the option existed
    assertThat(new ObjectMapper().readTree(out.resolve("folds/fold-01.json").toFile()).at("/settings/telephone_channel")
        .isMissingNode()).isTrue();
    assertThat(new ObjectMapper().readTree(out.resolve("folds/fold-01.json").toFile())
        .at("/settings/speaker_normalization").isMissingNode()).isTrue();
    assertThat(new ObjectMapper().readTree(out.resolve("folds/fold-01.json").toFile())
        .at("/settings/training_options/balanceClasses").isMissingNode()).isTrue();
  }

  @Test
  void aSpeakerAdversarialRunRecordsItsHeadAndShipsAModelWithoutIt() throws Exception {
    Path adversarial = Files.createDirectories(out.resolveSibling(out.getFileName() + "-adversarial"));
    assertThat(new CommandLine(new TrainCommand()).execute("--corpus", "emodb", "--data", Samples.emodb().toString(),
        "--folds", "2", "--epochs", "2", "--limit", "3", "--speaker-adversarial-weight", "0.5",
        "--out", adversarial.toString())).isZero();
    ObjectMapper json = new ObjectMapper();
    JsonNode settings = json.readTree(adversarial.resolve("folds/fold-01.json").toFile()).get("settings");
    assertThat(settings.at("/training_options/speakerAdversarialWeight").floatValue()).isEqualTo(0.5f);
    // one head output per speaker of the clips (EmoDB names start with the speaker)
    java.util.Set<String> speakers = new java.util.TreeSet<>();
    for (int f = 1; f <= 2; f++) {
      json.readTree(adversarial.resolve(String.format("folds/fold-%02d.json", f)).toFile()).get("test")
          .forEach(c -> speakers.add(c.get("clip").asText().substring(0, 2)));
    }
    assertThat(settings.at("/model_config/speakers").asInt()).isEqualTo(speakers.size()).isGreaterThan(1);
    // the ONNX file has the emotion head only, and matches DJL; the saved weights (head included) export again
    JsonNode adversarialReport = json.readTree(adversarial.resolve("report.json").toFile());
    assertThat(adversarialReport.at("/summary/onnx_parity_max_abs_diff").asDouble())
        .isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE);
    Path onnx = adversarial.resolve("ms-senet-emodb.onnx");
    try (EmotionScorer scorer = EmotionScorer.open(onnx)) {
      assertThat(scorer.metadata().labels()).containsExactlyElementsOf(new EmoDb().labels());
    }
    Path again = adversarial.resolve("again.onnx");
    assertThat(new CommandLine(new ExportCommand()).execute("--from", adversarial.resolve("final").toString(),
        "--out", again.toString())).isZero();
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(onnx));
    // runs without it carry neither field: as before the option existed
    JsonNode plain = json.readTree(out.resolve("folds/fold-01.json").toFile()).get("settings");
    assertThat(plain.at("/model_config/speakers").isMissingNode()).isTrue();
    assertThat(plain.at("/training_options/speakerAdversarialWeight").isMissingNode()).isTrue();
    // and mixup, which blends two speakers' clips, is refused with it
    CommandLine refused = new CommandLine(new TrainCommand());
    StringWriter err = new StringWriter();
    refused.setErr(new PrintWriter(err, true));
    assertThat(refused.execute("--corpus", "emodb", "--data", Samples.emodb().toString(), "--folds", "2", "--epochs",
        "1", "--speaker-adversarial-weight", "0.5", "--mixup-alpha", "0.2", "--out", adversarial.toString()))
        .isNotZero();
    assertThat(err.toString()).contains("turn mixup off");
  }

  @Test
  void speakerNormalizationIsRefusedForAModelTheJobWouldScoreWith() throws Exception {
    var err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new TrainCommand());
    cli.setErr(new java.io.PrintWriter(err));
    int code = cli.execute(concat(RECIPE, "--speaker-normalization", "--gain-db", "0", "--limit", "2", "--out",
        out.resolveSibling(out.getFileName() + "-speakers").toString()));
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--speaker-normalization trains a model for per-speaker standardised"
        + " features, which the stream job does not compute yet: pass --skip-final");
    // the gain augmentation is in raw MFCC units
    assertThat(cli.execute(concat(RECIPE, "--speaker-normalization", "--skip-final", "--limit", "2", "--out",
        out.resolveSibling(out.getFileName() + "-speakers").toString()))).isNotZero();
    assertThat(err.toString()).contains("--speaker-normalization standardises the MFCCs, and the gain augmentation"
        + " adds decibels to c0 as if they were not: pass --gain-db 0");
  }

  @Test
  void serReportSummarisesTheFinishedFoldRecords() {
    StringWriter printed = new StringWriter();
    CommandLine cli = new CommandLine(new ReportCommand());
    cli.setOut(new PrintWriter(printed, true));
    assertThat(cli.execute("--folds", out.resolve("folds").toString())).isZero();
    String[] lines = printed.toString().strip().split("\n");
    assertThat(lines).hasSize(7); // header, two folds, mean, recall per class, confusions, calibration
    assertThat(lines[1]).isEqualTo(String.format(java.util.Locale.ROOT, "%4d  %5d  %6.2f  %6.2f", 1,
        report.at("/per_fold/0/test_clips").asInt(), 100 * report.at("/per_fold/0/uar").asDouble(),
        100 * report.at("/per_fold/0/war").asDouble()));
    assertThat(lines[3]).startsWith(String.format(java.util.Locale.ROOT, "mean of 2 fold(s): UAR %.2f ± %.2f %%",
        100 * report.at("/summary/uar_mean").asDouble(), 100 * report.at("/summary/uar_std").asDouble()))
        .endsWith("(protocol kfold)");
    StringBuilder recall = new StringBuilder("recall per class (pooled):");
    for (int k = 0; k < report.get("labels").size(); k++) {
      recall.append(String.format(java.util.Locale.ROOT, " %s %.2f", report.at("/labels/" + k).asText(),
          report.at("/pooled/recall/" + k).asDouble()));
    }
    assertThat(lines[4]).isEqualTo(recall.toString());
    assertThat(lines[5]).startsWith("most frequent confusions (true -> predicted):");
    assertThat(lines[6]).isEqualTo(String.format(java.util.Locale.ROOT, "calibration (cross-fitted temperatures): ECE"
        + " %.3f -> %.3f, temperature for a model of all clips %.3f", report.at("/calibration/ece_before").asDouble(),
        report.at("/calibration/ece_after").asDouble(), report.at("/calibration/final_temperature").asDouble()));

    // a run against itself: the same UAR on every fold, no difference
    StringWriter compared = new StringWriter();
    CommandLine same = new CommandLine(new ReportCommand());
    same.setOut(new PrintWriter(compared, true));
    assertThat(same.execute("--folds", out.resolve("folds").toString(), "--against", out.resolve("folds").toString()))
        .isZero();
    String[] c = compared.toString().strip().split("\n");
    assertThat(c).hasSize(12);
    assertThat(c[7]).isEqualTo("against " + out.resolve("folds") + ", on the folds both finished:");
    double uar1 = 100 * report.at("/per_fold/0/uar").asDouble();
    assertThat(c[9]).isEqualTo(String.format(java.util.Locale.ROOT, "%4d  %6.2f  %7.2f  %+10.2f", 1, uar1, uar1, 0.0));
    double mean = 100 * report.at("/summary/uar_mean").asDouble();
    assertThat(c[11]).isEqualTo(String.format(java.util.Locale.ROOT,
        "2 fold(s) in common: UAR %.2f vs %.2f %%, difference +0.00 ± 0.00 points, better on 0 of 2", mean, mean));
  }

  @Test
  void runsWithAnotherSeedOnTheSameFoldsAreScoredAsASeedEnsemble() throws Exception {
    // seed 43 trains differently but, with --fold-seed 42, tests the same clips per fold as the main run
    Path other = Files.createDirectories(out.resolveSibling(out.getFileName() + "-seed43"));
    assertThat(new CommandLine(new TrainCommand()).execute(concat(RECIPE, "--final-exclude", demoClips.toString(),
        "--limit", "100", "--seed", "43", "--fold-seed", "42", "--out", other.toString()))).isZero();
    JsonNode settings = new ObjectMapper().readTree(other.resolve("folds/fold-01.json").toFile()).get("settings");
    assertThat(settings.get("fold_seed").asLong()).isEqualTo(42);
    assertThat(settings.at("/training_options/seed").asLong()).isEqualTo(43);
    // the main run, dealt by its own seed, records no fold seed: as before the option existed
    assertThat(new ObjectMapper().readTree(out.resolve("folds/fold-01.json").toFile()).at("/settings/fold_seed")
        .isMissingNode()).isTrue();

    Path ensemble = out.resolveSibling(out.getFileName() + "-ensemble");
    StringWriter printed = new StringWriter();
    CommandLine cli = new CommandLine(new ReportCommand());
    cli.setOut(new PrintWriter(printed, true));
    assertThat(cli.execute("--folds", out.resolve("folds").toString(), "--folds", other.resolve("folds").toString(),
        "--out", ensemble.toString())).isZero();
    String[] lines = printed.toString().strip().split("\n");
    assertThat(lines[0]).isEqualTo("ensemble of 2 runs (class probabilities averaged), folds [1, 2]");
    java.util.List<String> names = ReportCommand.labels(dev.ser.training.train.FoldRecord.read(
        out.resolve("folds/fold-01.json")));
    double[] uar = new double[2];
    double[] members = new double[2];
    for (int f = 1; f <= 2; f++) {
      var a = dev.ser.training.train.FoldRecord.read(dev.ser.training.train.FoldRecord.file(out.resolve("folds"), f));
      var b = dev.ser.training.train.FoldRecord.read(dev.ser.training.train.FoldRecord.file(other.resolve("folds"), f));
      var e = dev.ser.training.train.FoldRecord.ensemble(java.util.List.of(a, b));
      uar[f - 1] = dev.ser.training.eval.Metrics.of(names, e.truth(), e.predicted()).uar();
      members[0] += dev.ser.training.eval.Metrics.of(names, a.truth(), a.predicted()).uar() / 2;
      members[1] += dev.ser.training.eval.Metrics.of(names, b.truth(), b.predicted()).uar() / 2;
      assertThat(lines[1 + f]).startsWith(String.format(java.util.Locale.ROOT, "%4d  %5d  %6.2f", f, e.test().size(),
          100 * uar[f - 1]));
    }
    double mean = (uar[0] + uar[1]) / 2;
    double memberMean = (members[0] + members[1]) / 2;
    assertThat(lines[5]).isEqualTo(String.format(java.util.Locale.ROOT, "member runs, UAR %% on the same folds: %.2f"
        + " %.2f (mean %.2f); ensemble %+.2f points over the members' mean", 100 * members[0], 100 * members[1],
        100 * memberMean, 100 * (mean - memberMean)));
    // its own report: the ensemble's metrics and temperature, the members' seeds in its settings
    JsonNode r = new ObjectMapper().readTree(ensemble.resolve("report.json").toFile());
    assertThat(r.at("/summary/uar_mean").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.at("/summary/clips").asInt()).isEqualTo(21);
    assertThat(r.at("/settings/ensemble_seeds").toString()).isEqualTo("[42,43]");
    assertThat(ensemble.resolve("report.md")).exists();

    // the two final models in one file, calibrated by the ensemble's temperature
    Path onnx = ensemble.resolve("ensemble.onnx");
    assertThat(new CommandLine(new ExportCommand()).execute("--from", out.resolve("final").toString(), "--from",
        other.resolve("final").toString(), "--report", ensemble.resolve("report.json").toString(), "--model-version",
        "test-ensemble", "--out", onnx.toString())).isZero();
    // with its checksum beside it, which the stream job verifies before it loads a model
    assertThat(Files.readString(dev.ser.core.scoring.ModelChecksum.sidecar(onnx)))
        .startsWith(dev.ser.core.scoring.ModelChecksum.sha256(onnx) + "  ensemble.onnx");
    double t = r.at("/summary/temperature").asDouble();
    FeatureSet one = FeatureSet.compute(java.util.List.of(new EmoDb().load(Samples.emodb()).get(0)),
        new EmoDb().labels(), FeatureConfig.preset("timnet-emodb"), ensemble.resolve("feature-cache"));
    MfccMatrix clip = new MfccMatrix(one.frames(), 39, one.x()[0]);
    float[] expected = new float[names.size()];
    try (EmotionScorer a = EmotionScorer.open(out.resolve("ms-senet-emodb.onnx"));
         EmotionScorer b = EmotionScorer.open(other.resolve("ms-senet-emodb.onnx"));
         EmotionScorer both = EmotionScorer.open(onnx)) {
      // each member file is calibrated by its own temperature T_m: softmax(T_m log p_m) undoes it
      double[] averaged = new double[names.size()];
      for (var member : new Object[][] {{a, out}, {b, other}}) {
        EmotionScorer scorer = (EmotionScorer) member[0];
        double tm = new ObjectMapper().readTree(((Path) member[1]).resolve("report.json").toFile())
            .at("/calibration/final_temperature").asDouble();
        float[] logp = scorer.probabilities(java.util.List.of(clip))[0];
        for (int k = 0; k < logp.length; k++) {
          logp[k] = (float) (tm * Math.log(logp[k]));
        }
        dev.ser.training.eval.Calibration.softmaxInPlace(logp, 1);
        for (int k = 0; k < logp.length; k++) {
          averaged[k] += logp[k] / 2;
        }
      }
      for (int k = 0; k < expected.length; k++) {
        expected[k] = (float) Math.log(averaged[k]);
      }
      dev.ser.training.eval.Calibration.softmaxInPlace(expected, t);
      float[] got = both.probabilities(java.util.List.of(clip))[0];
      for (int k = 0; k < expected.length; k++) {
        assertThat(got[k]).as(names.get(k)).isCloseTo(expected[k], org.assertj.core.data.Offset.offset(1e-4f));
      }
      JsonNode described = new ObjectMapper().readTree(both.metadata().crossValidation());
      assertThat(described.get("ensemble_seeds").toString()).isEqualTo("[42,43]");
      assertThat(described.get("temperature").asDouble()).isEqualTo(t);
      assertThat(described.get("final_model_excluded_clips").asInt()).isEqualTo(5);
      assertThat(both.metadata().version()).isEqualTo("test-ensemble");
    }
    // one model carries its own report; several need the ensemble's; a single run's report is refused
    StringWriter err = new StringWriter();
    CommandLine export = new CommandLine(new ExportCommand());
    export.setErr(new PrintWriter(err, true));
    assertThat(export.execute("--from", out.resolve("final").toString(), "--report",
        ensemble.resolve("report.json").toString(), "--out", onnx.toString())).isNotZero();
    assertThat(export.execute("--from", out.resolve("final").toString(), "--from", other.resolve("final").toString(),
        "--out", onnx.toString())).isNotZero();
    assertThat(export.execute("--from", out.resolve("final").toString(), "--from", other.resolve("final").toString(),
        "--report", out.resolve("report.json").toString(), "--out", onnx.toString())).isNotZero();
    assertThat(err.toString()).contains("--report and --model-version are for an ensemble (several --from)",
        "an ensemble of 2 models needs --report", "is not the report of an ensemble of 2 runs (its settings list no"
        + " ensemble_seeds)");
  }

  @Test
  void aRunLearnsFromTheFoldModelsOfTeacherRunsOnTheSameFolds() throws Exception {
    Path teacher = Files.createDirectories(out.resolveSibling(out.getFileName() + "-teacher"));
    Path student = Files.createDirectories(out.resolveSibling(out.getFileName() + "-student"));
    String[] tiny = {"--corpus", "emodb", "--data", Samples.emodb().toString(), "--folds", "2", "--epochs", "1",
        "--limit", "2", "--final-exclude", demoClips.toString()};
    assertThat(new CommandLine(new TrainCommand()).execute(concat(tiny, "--seed", "5", "--save-fold-models", "--out",
        teacher.toString()))).isZero();
    assertThat(teacher.resolve("folds/fold-01-model/model.json")).exists();
    assertThat(teacher.resolve("folds/fold-02-model/ms-senet-0000.params")).exists();
    // the main run kept no fold model: only asked for
    assertThat(out.resolve("folds/fold-01-model")).doesNotExist();

    assertThat(new CommandLine(new TrainCommand()).execute(concat(tiny, "--seed", "6", "--fold-seed", "5", "--teacher",
        teacher.toString(), "--distillation-weight", "0.3", "--out", student.toString()))).isZero();
    JsonNode settings = new ObjectMapper().readTree(student.resolve("folds/fold-01.json").toFile()).get("settings");
    assertThat(settings.get("distillation").toString())
        .isEqualTo("{\"weight\":0.3,\"teachers\":[{\"run\":\"" + teacher.getFileName() + "\",\"seed\":5}]}");
    JsonNode report = new ObjectMapper().readTree(student.resolve("report.json").toFile());
    assertThat(report.at("/summary/distillation")).isEqualTo(settings.get("distillation")); // into the model's metadata
    assertThat(student.resolve("ms-senet-emodb.onnx")).exists(); // the final model learnt from the teacher's final

    // folds dealt by another seed: the teacher's fold models saw the student's test clips, refused
    StringWriter err = new StringWriter();
    CommandLine other = new CommandLine(new TrainCommand());
    other.setErr(new PrintWriter(err, true));
    assertThat(other.execute(concat(tiny, "--seed", "6", "--skip-final", "--teacher", teacher.toString(), "--out",
        out.resolveSibling(out.getFileName() + "-student-other-folds").toString()))).isNotZero();
    assertThat(err.toString()).contains("teacher " + teacher + " tested other clips in fold 1 than this run: its folds"
        + " were dealt with another seed (give the student --fold-seed of the teachers' folds)");
    // a run on other clips (the main run: up to 100 per label) cannot teach
    assertThat(other.execute(concat(tiny, "--seed", "6", "--skip-final", "--fold-seed", "42", "--teacher",
        out.resolve("").toString(), "--out", out.resolveSibling(out.getFileName() + "-student-no-models").toString())))
        .isNotZero();
    assertThat(err.toString()).contains("was trained on other data than this run (clips:");
    assertThat(other.execute(concat(tiny, "--seed", "6", "--skip-final", "--distillation-weight", "0.3", "--out",
        out.resolveSibling(out.getFileName() + "-student-no-teacher").toString()))).isNotZero();
    assertThat(err.toString()).contains("--distillation-weight needs --teacher: there is nothing to distil from");
  }

  @Test
  void calibrationIsCrossFittedAndReported() throws Exception {
    JsonNode c = report.get("calibration");
    assertThat(c.get("method").asText()).contains("out-of-fold logits of the other folds");
    assertThat(c.get("fold_temperatures")).hasSize(2);
    assertThat(c.get("final_temperature").asDouble()).isBetween(0.05, 20.0);
    assertThat(c.get("reliability_before")).hasSize(10);
    long counted = 0;
    for (JsonNode bin : c.get("reliability_after")) {
      counted += bin.get("count").asLong();
    }
    assertThat(counted).isEqualTo(21);
    assertThat(report.at("/summary/training_options/schedule").asText()).isEqualTo("WARMUP_COSINE");
    assertThat(report.at("/summary/training_options/augmentation/mixupAlpha").asDouble()).isEqualTo(0.4, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(report.at("/summary/model_selection").asText()).startsWith("the weights averaged");
    assertThat(Files.readAllBytes(out.resolve("reliability.png"))).startsWith(0x89, 'P', 'N', 'G');
    // the exported model's probabilities are the calibrated ones: its temperature is in the graph
    try (EmotionScorer scorer = EmotionScorer.open(out.resolve("ms-senet-emodb.onnx"))) {
      assertThat(scorer.metadata().crossValidation()).contains("\"temperature\"");
    }
  }

  @Test
  void theFinalModelLeavesTheExcludedClipsOut() {
    assertThat(report.at("/summary/final_model_clips").asInt()).isEqualTo(16);
    assertThat(report.at("/summary/final_model_excluded_clips").asInt()).isEqualTo(5);
    assertThat(report.at("/summary/final_model_excluded").toString())
        .isEqualTo("[\"03a01Fa.wav\",\"03a01Wa.wav\",\"08a01Ab.wav\",\"09a01Ea.wav\",\"10b01Ea.wav\"]");
    assertThat(report.at("/summary/clips").asInt()).isEqualTo(21); // cross-validation still uses every clip
  }

  @Test
  void reportHasTheSummaryAndEveryNumber() {
    JsonNode s = report.get("summary");
    assertThat(s.get("protocol").asText()).isEqualTo("kfold");
    assertThat(s.get("folds").asInt()).isEqualTo(2);
    assertThat(s.get("clips").asInt()).isEqualTo(21);
    for (String key : new String[] {"uar_mean", "uar_std", "war_mean", "war_std"}) {
      assertThat(s.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
    }
    assertThat(s.get("model_selection").asText()).contains("held-out folds are never used to choose");
    assertThat(report.get("per_fold")).hasSize(2);
    long pooled = 0;
    for (JsonNode row : report.at("/pooled/confusion")) {
      for (JsonNode c : row) {
        pooled += c.asLong();
      }
    }
    assertThat(pooled).isEqualTo(21); // every clip tested exactly once
    assertThat(report.at("/per_fold/0/curve")).hasSize(3);
    assertThat(report.at("/labels").toString()).isEqualTo("[\"angry\",\"boredom\",\"disgust\",\"fear\",\"happy\",\"neutral\",\"sad\"]");
    // war of the pooled matrix is the clip-weighted mean of the folds' war
    double weighted = (report.at("/per_fold/0/war").asDouble() * report.at("/per_fold/0/test_clips").asInt()
        + report.at("/per_fold/1/war").asDouble() * report.at("/per_fold/1/test_clips").asInt()) / 21;
    assertThat(report.at("/pooled/war").asDouble()).isCloseTo(weighted, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void markdownReportAndChartsAreWritten() throws Exception {
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md).contains(String.format(java.util.Locale.ROOT, "| **this run** (kfold) | **%.2f ± %.2f**",
        100 * report.at("/summary/uar_mean").asDouble(), 100 * report.at("/summary/uar_std").asDouble()));
    assertThat(md).contains("| MS-SENet, 10-fold | 96.83 | 96.40 |", "![confusion matrix](confusion.png)");
    for (String png : new String[] {"confusion.png", "learning-curves.png"}) {
      byte[] bytes = Files.readAllBytes(out.resolve(png));
      assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    }
  }

  @Test
  void theOnnxModelMatchesDjlAndDescribesItself() throws Exception {
    assertThat(report.at("/summary/onnx_parity_max_abs_diff").asDouble()).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE);
    Path onnx = out.resolve("ms-senet-emodb.onnx");
    try (EmotionScorer scorer = EmotionScorer.open(onnx)) {
      assertThat(scorer.metadata().name()).isEqualTo("ms-senet-emodb");
      assertThat(scorer.metadata().version()).isEqualTo("test-1");
      assertThat(scorer.metadata().labels()).containsExactlyElementsOf(new EmoDb().labels());
      assertThat(scorer.metadata().features()).isEqualTo(FeatureConfig.preset("timnet-emodb"));
      assertThat(scorer.metadata().crossValidation()).contains("\"protocol\":\"kfold\"");
    }
    // re-exporting the saved weights gives the same file, byte for byte
    Path again = out.resolve("again.onnx");
    assertThat(new CommandLine(new ExportCommand()).execute("--from", out.resolve("final").toString(),
        "--out", again.toString())).isZero();
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(onnx));
  }

  @Test
  void serScorePrintsTheLabelAndEveryClass() throws Exception {
    Path wav = Samples.emodb().resolve("03a01Wa.wav");
    StringWriter printed = new StringWriter();
    CommandLine cli = new CommandLine(new dev.ser.cli.ScoreCommand());
    cli.setOut(new PrintWriter(printed, true));
    assertThat(cli.execute("--model", out.resolve("ms-senet-emodb.onnx").toString(), "--in", wav.toString())).isZero();
    String[] lines = printed.toString().strip().split("\n");
    assertThat(lines).hasSize(8);
    try (EmotionScorer scorer = EmotionScorer.open(out.resolve("ms-senet-emodb.onnx"))) {
      EmotionScorer.Prediction p = scorer.predict(dev.ser.core.audio.WavFile.readMono(wav, 22050));
      assertThat(lines[0]).startsWith("03a01Wa.wav: " + p.label() + " (").endsWith("[ms-senet-emodb test-1]");
      double sum = 0;
      for (int k = 1; k < lines.length; k++) {
        sum += Double.parseDouble(lines[k].trim().split("\\s+")[1]);
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }
  }

  @Test
  void aSecondRunReadsFeaturesFromTheCache() {
    FeatureSet again = FeatureSet.compute(new EmoDb().load(Samples.emodb()), new EmoDb().labels(),
        FeatureConfig.preset("timnet-emodb"), out.resolve("feature-cache"));
    assertThat(again.cached()).isEqualTo(21);
  }
}
