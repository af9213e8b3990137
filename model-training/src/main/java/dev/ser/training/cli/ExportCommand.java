package dev.ser.training.cli;

import dev.ser.cli.Cli;
import dev.ser.training.export.ModelExport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser export}: saved final weights to a self-describing ONNX file, checked against DJL. */
@Command(name = "ser export", description = "Writes the model saved by ser train (its final/ folder) as ONNX"
    + " (opset 17) with its labels, features and cross-validation summary inside, and checks ONNX Runtime"
    + " against DJL.")
public final class ExportCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "DIR", description = "the final/ folder of a ser train run")
  Path from;

  @Option(names = "--out", required = true, paramLabel = "FILE.onnx")
  Path out;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  public static void main(String[] args) {
    Cli.run(new ExportCommand(), args);
  }

  @Override
  public Integer call() throws IOException {
    double diff = ModelExport.export(from, out);
    System.err.printf("wrote %s; ONNX Runtime vs DJL max |diff| %.2e (allowed %.0e)%n", out, diff,
        ModelExport.PARITY_TOLERANCE);
    return 0;
  }
}
