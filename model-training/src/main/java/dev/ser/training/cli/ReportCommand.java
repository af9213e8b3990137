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

  @Option(names = "--against", paramLabel = "DIR",
      description = "with --folds: another run's folds/ folder; compares UAR fold by fold on the folds both finished")
  Path against;

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
    FoldRecord first = FoldRecord.read(files.get(0));
    List<String> names = labels(first);
    List<Metrics> perFold = new ArrayList<>();
    out.println("fold  clips  UAR %   WAR %");
    for (Path f : files) {
      FoldRecord r = FoldRecord.read(f);
      Metrics m = Metrics.of(names, r.truth(), r.predicted());
      perFold.add(m);
      uar.add(m.uar());
      war.add(m.war());
      out.printf(Locale.ROOT, "%4d  %5d  %6.2f  %6.2f%n", r.fold(), r.test().size(), 100 * m.uar(), 100 * m.war());
    }
    double[] u = Metrics.meanStd(uar.stream().mapToDouble(Double::doubleValue).toArray());
    double[] w = Metrics.meanStd(war.stream().mapToDouble(Double::doubleValue).toArray());
    out.printf(Locale.ROOT, "mean of %d fold(s): UAR %.2f ± %.2f %%, WAR %.2f ± %.2f %% (protocol %s)%n", files.size(),
        100 * u[0], 100 * u[1], 100 * w[0], 100 * w[1], first.settings().path("protocol").asText());
    // where the errors are: recall per class and the most frequent confusions, pooled over the folds
    Metrics pooled = Metrics.pooled(perFold);
    double[] recall = pooled.recall();
    StringBuilder line = new StringBuilder("recall per class (pooled):");
    for (int k = 0; k < names.size(); k++) {
      line.append(String.format(Locale.ROOT, " %s %.2f", names.get(k), recall[k]));
    }
    out.println(line);
    List<int[]> pairs = new ArrayList<>();
    for (int t = 0; t < names.size(); t++) {
      for (int p = 0; p < names.size(); p++) {
        if (t != p && pooled.confusion()[t][p] > 0) {
          pairs.add(new int[] {t, p});
        }
      }
    }
    pairs.sort((a, b) -> Long.compare(pooled.confusion()[b[0]][b[1]], pooled.confusion()[a[0]][a[1]]));
    StringBuilder top = new StringBuilder("most frequent confusions (true -> predicted):");
    for (int[] p : pairs.subList(0, Math.min(5, pairs.size()))) {
      top.append(String.format(Locale.ROOT, " %s->%s %d", names.get(p[0]), names.get(p[1]),
          pooled.confusion()[p[0]][p[1]]));
    }
    out.println(top);
    if (against != null) {
      compare(out, files, names);
    }
    out.flush();
    return 0;
  }

  /** UAR of this run and of {@link #against} on the folds both have, the differences and their mean. */
  private void compare(PrintWriter out, List<Path> files, List<String> names) throws java.io.IOException {
    out.printf(Locale.ROOT, "against %s, on the folds both finished:%n", against);
    out.println("fold  UAR %   other %  difference");
    List<Double> differences = new ArrayList<>();
    List<Double> mine = new ArrayList<>();
    List<Double> theirs = new ArrayList<>();
    int better = 0;
    for (Path f : files) {
      Path other = against.resolve(f.getFileName());
      if (!Files.exists(other)) {
        continue;
      }
      FoldRecord a = FoldRecord.read(f);
      FoldRecord b = FoldRecord.read(other);
      if (!a.test().equals(b.test())) {
        throw new IllegalArgumentException(f.getFileName() + " tests other clips in " + against + ": not the same protocol");
      }
      double ua = Metrics.of(names, a.truth(), a.predicted()).uar();
      double ub = Metrics.of(names, b.truth(), b.predicted()).uar();
      mine.add(ua);
      theirs.add(ub);
      differences.add(ua - ub);
      better += ua > ub ? 1 : 0;
      out.printf(Locale.ROOT, "%4d  %6.2f  %7.2f  %+10.2f%n", a.fold(), 100 * ua, 100 * ub, 100 * (ua - ub));
    }
    if (differences.isEmpty()) {
      out.println("no fold in common");
      return;
    }
    double[] d = Metrics.meanStd(differences.stream().mapToDouble(Double::doubleValue).toArray());
    out.printf(Locale.ROOT, "%d fold(s) in common: UAR %.2f vs %.2f %%, difference %+.2f ± %.2f points, better on %d of"
        + " %d%n", differences.size(), 100 * Metrics.meanStd(mine.stream().mapToDouble(Double::doubleValue).toArray())[0],
        100 * Metrics.meanStd(theirs.stream().mapToDouble(Double::doubleValue).toArray())[0], 100 * d[0], 100 * d[1],
        better, differences.size());
  }

  /** The corpus' label names when the record names a known corpus, else class numbers. */
  static List<String> labels(FoldRecord r) {
    int classes = r.logits()[0].length;
    try {
      List<String> named = dev.ser.training.data.Corpus.named(r.settings().path("corpus").asText(), null).labels();
      if (named.size() == classes) {
        return named;
      }
    } catch (RuntimeException unknownCorpus) {
      // a folder corpus needs its data to know its labels
    }
    return IntStream.range(0, classes).mapToObj(Integer::toString).toList();
  }
}
