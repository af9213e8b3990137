package dev.ser.training.cli;

import dev.ser.cli.Cli;
import dev.ser.training.eval.Metrics;
import dev.ser.training.train.FoldRecord;
import dev.ser.training.train.ReportRenderer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ser report}: (re)draws report.md and its charts from a report.json, or summarises the
 * fold records a run has finished so far (an ablation on the tuning protocol, a run in progress).
 */
@Command(name = "ser report", description = {"Writes report.md, confusion.png, learning-curves.png and"
    + " reliability.png next to a report.json written by ser train,",
    "or (--folds) prints UAR and WAR of every finished fold record in a folder and their mean."})
public final class ReportCommand implements Callable<Integer> {

  static final class Source {
    @Option(names = "--in", required = true, paramLabel = "report.json") Path in;
    @Option(names = "--folds", required = true, paramLabel = "DIR", description = "a run's folds/ folder") Path folds;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new ReportCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (source.in != null) {
      ReportRenderer.render(source.in);
      System.err.println("wrote report.md and its charts next to " + source.in);
      return 0;
    }
    List<Path> files;
    try (var list = Files.list(source.folds)) {
      files = list.filter(p -> p.getFileName().toString().matches("fold-\\d+\\.json")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(source.folds + " holds no fold-NN.json record");
    }
    PrintWriter out = spec.commandLine().getOut();
    List<Double> uar = new ArrayList<>();
    List<Double> war = new ArrayList<>();
    out.println("fold  clips  UAR %   WAR %");
    for (Path f : files) {
      FoldRecord r = FoldRecord.read(f);
      int classes = r.logits()[0].length;
      List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
      Metrics m = Metrics.of(names, r.truth(), r.predicted());
      uar.add(m.uar());
      war.add(m.war());
      out.printf(Locale.ROOT, "%4d  %5d  %6.2f  %6.2f%n", r.fold(), r.test().size(), 100 * m.uar(), 100 * m.war());
    }
    double[] u = Metrics.meanStd(uar.stream().mapToDouble(Double::doubleValue).toArray());
    double[] w = Metrics.meanStd(war.stream().mapToDouble(Double::doubleValue).toArray());
    out.printf(Locale.ROOT, "mean of %d fold(s): UAR %.2f ± %.2f %%, WAR %.2f ± %.2f %% (protocol %s)%n", files.size(),
        100 * u[0], 100 * u[1], 100 * w[0], 100 * w[1], FoldRecord.read(files.get(0)).settings().path("protocol").asText());
    out.flush();
    return 0;
  }
}
