package dev.ser.training.cli;

import dev.ser.cli.Cli;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.training.export.ModelExport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser export}: saved final weights to a self-describing ONNX file, checked against DJL. */
@Command(name = "ser export", description = "Writes the model saved by ser train (its final/ folder) as ONNX"
    + " (opset 17) with its labels, features and cross-validation summary inside, and checks ONNX Runtime"
    + " against DJL; with --from given several times, the seed ensemble of those models in one file.")
public final class ExportCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "DIR", description = {"the final/ folder of a ser train"
      + " run; given several times, the runs' seed ensemble in one file (the members' mean probabilities), which"
      + " needs --report"})
  List<Path> from;

  @Option(names = "--report", paramLabel = "report.json", description = {"with several --from: the ensemble's report,"
      + " written by ser report --folds RUN_1/folds --folds RUN_2/folds ... --out DIR; its cross-fitted temperature"
      + " calibrates the ensemble and its summary goes into the file"})
  Path report;

  @Option(names = "--model-version", paramLabel = "V", description = "with several --from: the ensemble's version"
      + " (default: the first member's)")
  String version;

  @Option(names = "--out", required = true, paramLabel = "FILE.onnx")
  Path out;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  public static void main(String[] args) {
    Cli.run(new ExportCommand(), args);
  }

  @Override
  public Integer call() throws IOException {
    if (from.size() == 1 && (report != null || version != null)) {
      throw new IllegalArgumentException("--report and --model-version are for an ensemble (several --from); one"
          + " model carries its own report and version");
    }
    if (from.size() > 1 && report == null) {
      throw new IllegalArgumentException("an ensemble of " + from.size() + " models needs --report: the ensemble's"
          + " report.json from ser report --folds RUN_1/folds ... --folds RUN_" + from.size() + "/folds --out DIR");
    }
    double diff = from.size() == 1 ? ModelExport.export(from.get(0), out)
        : ModelExport.exportEnsemble(from, report, version, out);
    ModelChecksum.writeSidecar(out); // the stream job loads only models whose checksum it can verify
    System.err.printf("wrote %s and %s; ONNX Runtime vs DJL max |diff| %.2e (allowed %.0e)%n", out,
        ModelChecksum.sidecar(out).getFileName(), diff, ModelExport.PARITY_TOLERANCE);
    return 0;
  }
}
