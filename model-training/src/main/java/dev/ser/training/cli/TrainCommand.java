package dev.ser.training.cli;

import ai.djl.Model;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.training.data.Corpus;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.data.LabeledClip;
import dev.ser.training.export.ModelExport;
import dev.ser.training.model.ModelConfig;
import dev.ser.training.train.CrossValidation;
import dev.ser.training.train.MsSenetTrainer;
import dev.ser.training.train.Progress;
import dev.ser.training.train.TrainingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import dev.ser.core.cli.Cli;
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

  @Option(names = "--protocol", defaultValue = "kfold", paramLabel = "kfold|loso",
      description = "kfold: stratified k-fold as in the papers; loso: leave one speaker out (unseen callers)")
  String protocol;

  @Option(names = "--epochs", defaultValue = "35", paramLabel = "N", description = "epochs per model (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--features", defaultValue = "timnet-emodb", paramLabel = "PRESET|FILE.json",
      description = "feature preset or FeatureConfig JSON; needs a fixed_length (default ${DEFAULT-VALUE})")
  String features;

  @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N") int batchSize;
  @Option(names = "--learning-rate", defaultValue = "0.001", paramLabel = "LR") float learningRate;
  @Option(names = "--beta1", defaultValue = "0.93", paramLabel = "B") float beta1;
  @Option(names = "--beta2", defaultValue = "0.98", paramLabel = "B") float beta2;
  @Option(names = "--label-smoothing", defaultValue = "0.1", paramLabel = "E") float labelSmoothing;
  @Option(names = "--seed", defaultValue = "42", paramLabel = "N") long seed;
  @Option(names = "--filters", defaultValue = "39", paramLabel = "N") int filters;
  @Option(names = "--blocks", paramLabel = "N", description = "temporal-aware blocks (default: enough to cover the input)")
  Integer blocks;
  @Option(names = "--fusion-dropout", defaultValue = "0.2", paramLabel = "P") float fusionDropout;
  @Option(names = "--temporal-dropout", defaultValue = "0.1", paramLabel = "P") float temporalDropout;

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
    PrintStream log = System.err;
    long start = System.nanoTime();
    CrossValidation.Protocol proto = switch (protocol.toLowerCase(Locale.ROOT)) {
      case "kfold" -> CrossValidation.Protocol.KFOLD;
      case "loso" -> CrossValidation.Protocol.LOSO;
      default -> throw new IllegalArgumentException("--protocol must be kfold or loso, got " + protocol);
    };
    FeatureConfig featureConfig = features.endsWith(".json")
        ? FeatureConfig.fromJson(Files.readString(Path.of(features))) : FeatureConfig.preset(features);
    Corpus source = Corpus.named(corpus, data);
    List<LabeledClip> clips = source.load(data);
    if (limitPerLabel != null) {
      clips = clips.stream().collect(java.util.stream.Collectors.groupingBy(LabeledClip::label,
              java.util.LinkedHashMap::new, java.util.stream.Collectors.toList()))
          .values().stream().flatMap(l -> l.stream().limit(limitPerLabel)).toList();
    }
    Files.createDirectories(out);
    FeatureSet set = FeatureSet.compute(clips, source.labels(), featureConfig, out.resolve("feature-cache"));
    log.printf(Locale.ROOT, "%s: %d clips, %d labels, features %d x %d (%d from cache)%n", source.name(), set.size(),
        set.labels().size(), set.frames(), featureConfig.nMfcc(), set.cached());
    ModelConfig modelConfig = new ModelConfig(set.frames(), featureConfig.nMfcc(), set.labels().size(), filters,
        blocks != null ? blocks : ModelConfig.blocksFor(set.frames()), fusionDropout, temporalDropout);
    TrainingOptions options = new TrainingOptions(epochs, batchSize, learningRate, beta1, beta2, labelSmoothing, seed);

    List<CrossValidation.FoldResult> results = CrossValidation.run(set, modelConfig, options, proto, folds, log);
    ObjectNode report = CrossValidation.report(results, set, modelConfig, options, proto, source.name(),
        (System.nanoTime() - start) / 1e9);
    CrossValidation.write(report, out.resolve("report.json"));
    log.printf(Locale.ROOT, "cross-validation: UAR %.2f ± %.2f %%, WAR %.2f ± %.2f %% -> %s%n",
        100 * report.at("/summary/uar_mean").asDouble(), 100 * report.at("/summary/uar_std").asDouble(),
        100 * report.at("/summary/war_mean").asDouble(), 100 * report.at("/summary/war_std").asDouble(),
        out.resolve("report.json"));

    if (!skipFinal) {
      Path finalDir = out.resolve("final");
      Files.createDirectories(finalDir);
      Progress progress = new Progress(log, epochs);
      ModelMetadata metadata = new ModelMetadata(modelName != null ? modelName : "ms-senet-" + source.name(), modelVersion,
          set.labels(), featureConfig, source.name(), report.get("summary").toString());
      try (Model model = MsSenetTrainer.newModel(modelConfig)) {
        MsSenetTrainer.train(model, modelConfig, options, set.x(), set.y(), null, null,
            s -> progress.advance(1, String.format(Locale.ROOT, "final model epoch %d/%d loss %.3f acc %.3f",
                s.epoch(), epochs, s.loss(), s.trainAccuracy())));
        model.save(finalDir, "ms-senet");
        ModelExport.writeDescription(finalDir, modelConfig, metadata);
        Path onnx = out.resolve(metadata.name() + ".onnx");
        double diff = ModelExport.export(model, modelConfig, metadata, onnx);
        dev.ser.core.scoring.ModelChecksum.writeSidecar(onnx); // the stream job loads only verified models
        report.with("summary").put("onnx_parity_max_abs_diff", diff);
        log.printf(Locale.ROOT, "final model: %s (ONNX Runtime vs DJL max |diff| %.2e)%n", onnx, diff);
      }
    }
    report.with("summary").put("wall_seconds", (System.nanoTime() - start) / 1e9);
    CrossValidation.write(report, out.resolve("report.json"));
    dev.ser.training.train.ReportRenderer.render(out.resolve("report.json"));
    log.println("report: " + out.resolve("report.md"));
    return 0;
  }
}
