package dev.ser.training.cli;

import dev.ser.training.train.ReportRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import dev.ser.core.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser report}: (re)draws report.md and its charts from a report.json. */
@Command(name = "ser report", description = "Writes report.md, confusion.png and learning-curves.png next to a"
    + " report.json written by ser train.")
public final class ReportCommand implements Callable<Integer> {

  @Option(names = "--in", required = true, paramLabel = "report.json")
  Path in;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  public static void main(String[] args) {
    Cli.run(new ReportCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    ReportRenderer.render(in);
    System.err.println("wrote report.md, confusion.png and learning-curves.png next to " + in);
    return 0;
  }
}
