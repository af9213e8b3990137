package dev.ser.stream;

import dev.ser.cli.Cli;
import dev.ser.stream.kafka.KafkaPreflight;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code ser stream} and the job jar's entry point ({@code flink run ser-stream-job.jar ...}):
 * reads the settings (a properties file, then flags), checks them and the model, and runs the job
 * in the environment it finds: the Flink cluster under {@code flink run}, a local one otherwise.
 */
@Command(name = "ser stream", sortOptions = false, usageHelpWidth = 110,
    description = {"Runs the stream job: AudioChunk records from Kafka in, EmotionEvent records out, refused"
        + " records to the dead-letter topic with their reason.",
        "Every setting below also works as a key of the --config properties file (flags win). Keys starting"
            + " with kafka. go to the Kafka clients, e.g. kafka.security.protocol=SASL_SSL."})
public final class StreamCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(StreamCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "properties file of settings")
  Path config;

  @Option(names = "--kafka", paramLabel = "KEY=VALUE",
      description = "a Kafka client property (security.protocol, sasl.*, ssl.*, ...); repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(names = "--dry-run", description = "check the settings and the model, print them, and stop")
  boolean dryRun;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != 0) {
      System.exit(code); // not on success: under 'flink run' the client goes on after main returns
    }
  }

  /** The command with one option per job setting. */
  public static CommandLine commandLine() {
    CommandLine cli = Cli.commandLine(new StreamCommand());
    for (StreamJobOptions.Spec<?> s : StreamJobOptions.all().values()) {
      cli.getCommandSpec().addOption(OptionSpec.builder("--" + s.name()).type(String.class).paramLabel("VALUE")
          .description(s.description() + (s.defaultText() == null ? " (required" : " (default: "
              + (s.defaultText().isEmpty() ? "empty" : s.defaultText())) + "; " + s.expected() + ")").build());
    }
    return cli;
  }

  /** True when no Flink cluster submitted this main (ser stream rather than flink run). */
  static boolean isLocal() {
    return StreamExecutionEnvironment.getExecutionEnvironment() instanceof
        org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
  }

  /** The configuration the parsed flags describe. */
  StreamJobConfig configuration() throws Exception {
    StreamJobConfig.Builder b = StreamJobConfig.builder();
    if (config != null) {
      b.load(config);
    }
    for (StreamJobOptions.Spec<?> s : StreamJobOptions.all().values()) {
      OptionSpec o = spec.findOption("--" + s.name());
      if (o != null && !o.originalStringValues().isEmpty()) {
        b.set(s.name(), o.getValue());
      }
    }
    kafka.forEach((k, v) -> b.set("kafka." + k, v));
    Path shipped = shippedModel();
    if (!b.has("model") && shipped != null) {
      b.set("model", shipped.toString());
      spec.commandLine().getErr().println("no --model given: using the shipped model " + shipped);
      spec.commandLine().getErr().flush();
    }
    return b.build();
  }

  /**
   * The default model of the models/ directory: next to bin/ser ({@code ser.home}) or in the
   * stream-job image; null when neither has it.
   */
  static Path shippedModel() {
    List<Path> candidates = new java.util.ArrayList<>();
    if (System.getProperty("ser.home") != null) {
      candidates.add(Path.of(System.getProperty("ser.home"), "models", "ms-senet-emodb.onnx"));
    }
    candidates.add(Path.of("/opt/ser/models/ms-senet-emodb.onnx"));
    return candidates.stream().filter(java.nio.file.Files::isRegularFile).map(p -> p.toAbsolutePath().normalize())
        .findFirst().orElse(null);
  }

  @Override
  public Integer call() throws Exception {
    StreamJobConfig cfg = configuration();
    if (cfg.get(StreamJobOptions.CHECKPOINT_DIR).isEmpty() && isLocal()) {
      // a local run has no cluster configuration: keep checkpoints on disk, not in JobManager memory
      Path dir = java.nio.file.Files.createTempDirectory("ser-checkpoints-");
      cfg = cfg.toBuilder().set("checkpoint-dir", dir.toUri().toString()).build();
    }
    EmotionJob job = EmotionJob.onKafka(cfg);
    String summary = "model " + job.model().name() + " " + job.model().version() + " (" + job.model().labels().size()
        + " labels, " + job.model().features().sampleRate() + " Hz), utterances up to "
        + job.assemblyConfig().maxUtteranceMs() + " ms";
    if (dryRun) {
      spec.commandLine().getOut().println(cfg.describe() + summary);
      spec.commandLine().getOut().flush();
      return 0;
    }
    KafkaPreflight.check(cfg);
    LOG.info("starting the stream job with\n{}{}", cfg.describe(), summary);
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    job.addTo(env);
    env.execute("ser stream: " + cfg.get(StreamJobOptions.INPUT_TOPIC) + " -> " + cfg.get(StreamJobOptions.OUTPUT_TOPIC));
    return 0;
  }
}
