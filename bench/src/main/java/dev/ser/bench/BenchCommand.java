package dev.ser.bench;

import ai.onnxruntime.OrtSession;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ser.cli.Cli;
import dev.ser.schemas.SampleEncoding;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser bench}: the measurements behind BENCHMARKS.md, each printed as JSON. */
@Command(name = "ser bench", sortOptions = false, subcommands = {BenchCommand.Features.class,
    BenchCommand.Inference.class, BenchCommand.Operators.class, BenchCommand.EndToEnd.class, BenchCommand.SameSeed.class,
    BenchCommand.Epoch.class},
    description = "Measures feature throughput (features), ONNX Runtime vs DJL inference (inference), the"
        + " end-to-end capacity through Kafka and Flink (e2e), whether one training seed gives the same weights"
        + " (same-seed) and the training epoch time (epoch). Results print as JSON; --json FILE also writes them.")
public final class BenchCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  public static void main(String[] args) {
    Cli.run(new BenchCommand(), args);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  static Path home() {
    return Path.of(System.getProperty("ser.home", "."));
  }

  /** {@code --model}, or the shipped model when it was not given. */
  static Path modelOrShipped(Path model) {
    return model != null ? model : home().resolve("models/ms-senet-emodb.onnx");
  }

  static int print(CommandLine.Model.CommandSpec spec, Object result, Path json) throws Exception {
    String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result);
    PrintWriter out = spec.commandLine().getOut();
    out.println(text);
    out.flush();
    if (json != null) {
      Files.writeString(json, text + "\n");
    }
    return 0;
  }

  @Command(name = "features", description = "MFCC throughput per preset, one thread, audio seconds per CPU second")
  static final class Features implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--seconds", defaultValue = "5", description = "measuring time per preset (default ${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--json", paramLabel = "FILE") Path json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    @Override
    public Integer call() throws Exception {
      return print(spec, FeatureBench.run(home().resolve("samples/emodb"), seconds), json);
    }
  }

  @Command(name = "inference", description = "utterances/s and batch latency, batch 1/8/32/128: ONNX Runtime vs DJL (PyTorch)")
  static final class Inference implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads of both engines (default ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--seconds", defaultValue = "4", description = "measuring time per point (default ${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--model", paramLabel = "FILE.onnx") Path model;
    @CommandLine.Mixin GraphOptimizationOption graphOptimization;
    @Option(names = "--json", paramLabel = "FILE") Path json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    @Override
    public Integer call() throws Exception {
      Path m = modelOrShipped(model);
      return print(spec, InferenceBench.run(m, threads, seconds, graphOptimization.level), json);
    }
  }

  @Command(name = "operators", description = "ONNX Runtime's own profile of batch-1 inference, summed per operator type,"
      + " with each convolution's and matrix product's arithmetic rate")
  static final class Operators implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads (default ${DEFAULT-VALUE})") int threads;
    @Option(names = "--runs", defaultValue = "300", description = "inferences profiled (default ${DEFAULT-VALUE})") int runs;
    @Option(names = "--model", paramLabel = "FILE.onnx") Path model;
    @CommandLine.Mixin GraphOptimizationOption graphOptimization;
    @Option(names = "--json", paramLabel = "FILE") Path json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    @Override
    public Integer call() throws Exception {
      return print(spec, OperatorProfile.run(modelOrShipped(model), threads, runs, graphOptimization.level), json);
    }
  }

  /** The one declaration of {@code --graph-optimization}, shared by the commands that open an ONNX session. */
  static final class GraphOptimizationOption {
    @Option(names = "--graph-optimization", paramLabel = "LEVEL", converter = GraphOptimization.class,
        description = "ONNX Runtime's graph optimisation: basic, extended or all (default: the job's, ONNX Runtime's default all)")
    OrtSession.SessionOptions.OptLevel level;
  }

  /** {@code basic}, {@code extended} or {@code all}: ONNX Runtime's graph optimisation levels. */
  static final class GraphOptimization implements CommandLine.ITypeConverter<OrtSession.SessionOptions.OptLevel> {
    @Override
    public OrtSession.SessionOptions.OptLevel convert(String value) {
      return switch (value.toLowerCase(java.util.Locale.ROOT)) {
        case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
        default -> throw new CommandLine.TypeConversionException(
            "--graph-optimization must be basic, extended or all, got " + value);
      };
    }
  }

  @Command(name = "same-seed", description = "trains a small reference network with one seed, --runs times in this"
      + " JVM, and prints each run's weight fingerprint; compare them across JVMs")
  static final class SameSeed implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--epochs", defaultValue = "6", description = "epochs per run (default ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--runs", defaultValue = "1", description = "runs in this JVM (default ${DEFAULT-VALUE})") int runs;
    @Option(names = "--json", paramLabel = "FILE") Path json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    @Override
    public Integer call() throws Exception {
      if (epochs < 1 || runs < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--epochs and --runs must be >= 1");
      }
      return print(spec, SameSeedBench.run(epochs, runs), json);
    }
  }

  @Command(name = "epoch", description = "seconds per training epoch of the reference network on 480 random"
      + " 188 x 39 matrices, batch 64; --profile: PyTorch's operators of the last epoch")
  static final class Epoch implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--epochs", defaultValue = "3", description = "epochs (default ${DEFAULT-VALUE}; the first is warm-up)")
    int epochs;
    @Option(names = "--profile", description = "profile the last epoch, operators summed by name and input shapes") boolean profile;
    @Option(names = "--top", defaultValue = "15", description = "operators listed (default ${DEFAULT-VALUE})") int top;
    @Option(names = "--json", paramLabel = "FILE") Path json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    @Override
    public Integer call() throws Exception {
      if (epochs < 2) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--epochs must be >= 2 (the first is warm-up)");
      }
      return print(spec, EpochBench.run(epochs, profile, top), json);
    }
  }

  @Command(name = "e2e", description = "N real-time channels through a real broker and the job; the largest N that keeps up")
  static final class EndToEnd implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--channels", split = ",", defaultValue = "50,100,200,400,700,1000",
        description = "channel counts to try in order; stops at the first that does not keep up (default ${DEFAULT-VALUE})")
    List<Integer> channels;
    @Option(names = "--seconds", defaultValue = "60", description = "run length per count (default ${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--warmup", defaultValue = "15", description = "seconds left out of the latency figures (default ${DEFAULT-VALUE})")
    double warmup;
    @Option(names = "--delivery-guarantee", defaultValue = "at-least-once") String delivery;
    @Option(names = "--checkpoint-interval-ms", defaultValue = "1000") long checkpointMs;
    @Option(names = "--encoding", defaultValue = "MULAW", description = "MULAW (8 kHz telephony) or PCM_S16LE (16 kHz)")
    SampleEncoding encoding;
    @Option(names = "--parallelism", defaultValue = "2") int parallelism;
    @Option(names = "--taskmanagers", defaultValue = "0", description = "0: the job in this JVM (a local"
        + " MiniCluster); N: a standalone cluster of a JobManager and N TaskManager JVMs on this machine, the job"
        + " jar submitted over REST (default ${DEFAULT-VALUE})") int taskManagers;
    @Option(names = "--onnx-threads", defaultValue = "1", description = "the job's onnx-threads: ONNX Runtime intra-op"
        + " threads per session, 0 = its default (one per core, spinning between runs) (default ${DEFAULT-VALUE})")
    int onnxThreads;
    @Option(names = "--all", description = "run every count, also after one that did not keep up") boolean all;
    @Option(names = "--model", paramLabel = "FILE.onnx") Path model;
    @Option(names = "--json", paramLabel = "FILE") Path json;
    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    @Override
    public Integer call() throws Exception {
      Path m = modelOrShipped(model);
      int rate = encoding == SampleEncoding.PCM_S16LE || encoding == SampleEncoding.FLOAT32_LE ? 16000 : 8000;
      List<Object> runs = new ArrayList<>();
      Integer best = null;
      for (int n : channels) {
        Map<String, Object> r = EndToEndBench.run(new EndToEndBench.Settings(n, seconds, warmup, delivery, checkpointMs,
            encoding, rate, 100, home().resolve("samples/emodb"), m, parallelism, taskManagers, onnxThreads));
        runs.add(r);
        spec.commandLine().getErr().println("ser bench e2e: " + n + " channels: sustained=" + r.get("sustained")
            + " p99=" + r.get("latency_ms_p99") + " ms, events " + r.get("events") + "/" + r.get("expected_utterances"));
        spec.commandLine().getErr().flush();
        if (!Boolean.TRUE.equals(r.get("sustained"))) {
          if (!all) {
            break;
          }
          continue;
        }
        if (best == null || best < n) {
          best = n;
        }
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("largest_sustained_channels", best);
      result.put("runs", runs);
      return print(spec, result, json);
    }
  }
}
