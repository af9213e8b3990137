package dev.ser.training.cli;

import dev.ser.cli.Cli;
import dev.ser.training.eval.Metrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.training.train.CrossValidationReport;
import dev.ser.training.train.FoldRecord;
import dev.ser.training.train.ReportRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
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
    "or (--folds) prints UAR and WAR of every finished fold record in a folder and their mean, calibration,"
    + " and with --folds given several times those of the runs' seed ensemble."})
public final class ReportCommand implements Callable<Integer> {

  static final class Source {
    @Option(names = "--in", required = true, paramLabel = "report.json") Path in;
    @Option(names = "--folds", required = true, paramLabel = "DIR", description = {"a run's folds/ folder; given"
        + " several times, the seed ensemble of those runs: each test clip's class probabilities averaged over the"
        + " runs, on the folds every run finished (the runs must test the same clips per fold)"}) List<Path> folds;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--against", paramLabel = "DIR",
      description = "with --folds: another run's folds/ folder; compares UAR fold by fold on the folds both finished")
  Path against;

  @Option(names = "--out", paramLabel = "DIR", description = "with --folds: also write report.json, report.md and"
      + " its charts for these folds into DIR (for an ensemble: its metrics and cross-fitted temperature, which"
      + " ser export --report puts into the ensemble's model file)")
  Path out;

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
    PrintWriter out = spec.commandLine().getOut();
    SortedMap<Integer, List<FoldRecord>> members = finishedInEveryRun(source.folds, out);
    List<FoldRecord> records = new ArrayList<>();
    members.values().forEach(m -> records.add(m.size() == 1 ? m.get(0) : FoldRecord.ensemble(m)));
    List<Double> uar = new ArrayList<>();
    List<Double> war = new ArrayList<>();
    FoldRecord first = records.get(0);
    List<String> names = labels(first);
    List<Metrics> perFold = new ArrayList<>();
    out.println("fold  clips  UAR %   WAR %");
    for (FoldRecord r : records) {
      Metrics m = Metrics.of(names, r.truth(), r.predicted());
      perFold.add(m);
      uar.add(m.uar());
      war.add(m.war());
      out.printf(Locale.ROOT, "%4d  %5d  %6.2f  %6.2f%n", r.fold(), r.test().size(), 100 * m.uar(), 100 * m.war());
    }
    double[] u = Metrics.meanStd(uar.stream().mapToDouble(Double::doubleValue).toArray());
    double[] w = Metrics.meanStd(war.stream().mapToDouble(Double::doubleValue).toArray());
    out.printf(Locale.ROOT, "mean of %d fold(s): UAR %.2f ± %.2f %%, WAR %.2f ± %.2f %% (protocol %s)%n", records.size(),
        100 * u[0], 100 * u[1], 100 * w[0], 100 * w[1], first.settings().path("protocol").asText());
    if (source.folds.size() > 1) {
      members(out, members, records, names, u[0]);
    }
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
    if (records.size() > 1) {
      ObjectNode report = report(records, names);
      out.printf(Locale.ROOT, "calibration (cross-fitted temperatures): ECE %.3f -> %.3f, temperature for a model of"
          + " all clips %.3f%n", report.at("/summary/ece_before").asDouble(), report.at("/summary/ece_after").asDouble(),
          report.at("/summary/temperature").asDouble());
      if (this.out != null) {
        Files.createDirectories(this.out);
        Path json = this.out.resolve("report.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        ReportRenderer.render(json);
        out.println("wrote " + json + ", report.md and its charts");
      }
    } else if (this.out != null) {
      throw new IllegalArgumentException("--out needs at least two finished folds (the calibration is cross-fitted)");
    }
    if (against != null) {
      compare(out, records, names);
    }
    out.flush();
    return 0;
  }

  /**
   * Each run's fold records by fold number, on the folds every run finished; says which folds are
   * left out because a run lacks them.
   */
  static SortedMap<Integer, List<FoldRecord>> finishedInEveryRun(List<Path> runs, PrintWriter out) throws IOException {
    List<SortedMap<Integer, Path>> byRun = new ArrayList<>();
    for (Path run : runs) {
      SortedMap<Integer, Path> folds = new TreeMap<>();
      try (var list = Files.list(run)) {
        list.filter(p -> p.getFileName().toString().matches("fold-\\d+\\.json"))
            .forEach(p -> folds.put(Integer.parseInt(p.getFileName().toString().replaceAll("\\D", "")), p));
      }
      if (folds.isEmpty()) {
        throw new IllegalArgumentException(run + " holds no fold-NN.json record");
      }
      byRun.add(folds);
    }
    SortedMap<Integer, List<FoldRecord>> common = new TreeMap<>();
    for (int fold : byRun.get(0).keySet()) {
      if (byRun.stream().allMatch(m -> m.containsKey(fold))) {
        List<FoldRecord> members = new ArrayList<>();
        for (SortedMap<Integer, Path> m : byRun) {
          members.add(FoldRecord.read(m.get(fold)));
        }
        common.put(fold, members);
      }
    }
    if (common.isEmpty()) {
      throw new IllegalArgumentException("no fold is finished in every one of the " + runs.size() + " runs");
    }
    if (runs.size() > 1) {
      out.printf(Locale.ROOT, "ensemble of %d runs (class probabilities averaged), folds %s%n", runs.size(),
          common.keySet());
      List<Integer> missing = byRun.stream().flatMap(m -> m.keySet().stream()).distinct().sorted()
          .filter(f -> !common.containsKey(f)).toList();
      if (!missing.isEmpty()) {
        out.printf(Locale.ROOT, "left out, not finished in every run: folds %s%n", missing);
      }
    }
    return common;
  }

  /**
   * Each member run's UAR on the same folds, their mean, what the ensemble adds to it, and on how
   * many folds the ensemble beats its members' mean there.
   */
  private static void members(PrintWriter out, SortedMap<Integer, List<FoldRecord>> members,
      List<FoldRecord> ensemble, List<String> names, double ensembleUar) {
    int runs = members.values().iterator().next().size();
    double[] means = new double[runs];
    int above = 0;
    int f = 0;
    for (List<FoldRecord> fold : members.values()) {
      double foldMean = 0;
      for (int r = 0; r < runs; r++) {
        FoldRecord m = fold.get(r);
        double uar = Metrics.of(names, m.truth(), m.predicted()).uar();
        means[r] += uar / members.size();
        foldMean += uar / runs;
      }
      FoldRecord e = ensemble.get(f++);
      above += Metrics.of(names, e.truth(), e.predicted()).uar() > foldMean ? 1 : 0;
    }
    double mean = java.util.Arrays.stream(means).average().orElse(Double.NaN);
    StringBuilder line = new StringBuilder("member runs, UAR % on the same folds:");
    for (double m : means) {
      line.append(String.format(Locale.ROOT, " %.2f", 100 * m));
    }
    out.println(line.append(String.format(Locale.ROOT, " (mean %.2f); ensemble %+.2f points over the members' mean",
        100 * mean, 100 * (ensembleUar - mean))));
    out.printf(Locale.ROOT, "ensemble above its members' mean UAR on %d of %d fold(s)%n", above, members.size());
  }

  /** report.json for these records, as ser train writes it (clips: every test clip once). */
  private static ObjectNode report(List<FoldRecord> records, List<String> names) {
    FoldRecord first = records.get(0);
    int clips = records.stream().mapToInt(r -> r.test().size()).sum();
    double seconds = records.stream().mapToDouble(FoldRecord::seconds).sum();
    return CrossValidationReport.build(records, names, first.settings(), first.settings().path("corpus").asText(),
        clips, seconds);
  }

  /** UAR of this run and of {@link #against} on the folds both have, the differences and their mean. */
  private void compare(PrintWriter out, List<FoldRecord> records, List<String> names) throws IOException {
    out.printf(Locale.ROOT, "against %s, on the folds both finished:%n", against);
    out.println("fold  UAR %   other %  difference");
    List<Double> differences = new ArrayList<>();
    List<Double> mine = new ArrayList<>();
    List<Double> theirs = new ArrayList<>();
    int better = 0;
    for (FoldRecord a : records) {
      Path other = FoldRecord.file(against, a.fold());
      if (!Files.exists(other)) {
        continue;
      }
      FoldRecord b = FoldRecord.read(other);
      if (!a.test().equals(b.test())) {
        throw new IllegalArgumentException(other.getFileName() + " tests other clips in " + against
            + ": not the same protocol");
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
