package dev.ser.dashboard;

import dev.ser.cli.Cli;
import dev.ser.cli.KafkaClientSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser dashboard}: serves the live supervisor page over the job's output topics until stopped. */
@Command(name = "ser dashboard", sortOptions = false,
    description = {"Serves the live supervisor page: calls in progress with each utterance's emotion, open alerts,"
        + " recently ended calls with their summaries. A view over the events, alerts and summaries topics"
        + " (read_committed), kept in memory for --window-minutes; nothing is stored, no audio is read.",
        "--config takes the stream job's properties file as it is; its kafka.* keys go to the Kafka client (put"
            + " secrets there, not on the command line)."})
public final class DashboardCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "the Kafka cluster (or bootstrap-servers in --config)") String bootstrap;

  @Option(names = "--config", paramLabel = "FILE",
      description = "the stream job's properties file as it is: bootstrap-servers, output-topic, alert-topic,"
          + " summary-topic, call-negative-labels and the kafka.* keys are used, the job's other settings ignored")
  Path config;

  @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "a Kafka client property; repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(names = "--events-topic", description = "(default: output-topic in --config, else emotion-events)")
  String eventsTopic;

  @Option(names = "--alerts-topic", description = "(default: alert-topic in --config, else call-alerts)")
  String alertsTopic;

  @Option(names = "--summaries-topic", description = "(default: summary-topic in --config, else call-summaries)")
  String summariesTopic;

  @Option(names = "--window-minutes", defaultValue = "60",
      description = "how far back the page starts reading, how long ended calls stay listed and how long a silent call"
          + " waits for its summary (default: ${DEFAULT-VALUE})")
  long windowMinutes;

  @Option(names = "--max-calls", defaultValue = "5000",
      description = "at most this many live and this many ended calls in memory, the oldest dropped (default: ${DEFAULT-VALUE})")
  int maxCalls;

  @Option(names = "--negative-labels", split = ",",
      description = "labels whose probabilities add up to an utterance's negative affect (default: call-negative-labels"
          + " in --config, else angry,disgust,fear,sad, as the job)")
  String[] negativeLabels;

  @Option(names = "--bind", defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE}); any other than loopback needs credentials")
  String bind;

  @Option(names = "--port", defaultValue = "8080", description = "(default: ${DEFAULT-VALUE}; 0 = any free port)")
  int port;

  @Option(names = "--basic-auth-file", paramLabel = "FILE",
      description = "a file holding one line USER:PASSWORD; the browser asks for them")
  Path basicAuthFile;

  @Option(names = "--bearer-token-file", paramLabel = "FILE",
      description = "a file holding a token every request must carry as 'Authorization: Bearer TOKEN' (a proxy adds it)")
  Path bearerTokenFile;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit") boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new DashboardCommand(), args);
  }

  private java.util.Properties file;

  /** A flag, else the config file's key (the file read once), else the default. */
  private String pick(String flag, String key, String fallback) throws IOException {
    if (flag != null) {
      return flag;
    }
    if (file == null) {
      file = KafkaClientSettings.read(config);
    }
    String v = file.getProperty(key);
    return v != null && !v.isBlank() ? v.strip() : fallback;
  }

  /** The Kafka client properties: the config file's kafka.* keys, then --kafka, then the bootstrap servers. */
  Map<String, Object> kafkaProperties() throws IOException {
    return KafkaClientSettings.clientProperties(config, bootstrap, kafka);
  }

  /** The topics: flags, else the job's settings in --config, else the job's defaults. */
  TopicReader.Topics topics() throws IOException {
    return new TopicReader.Topics(pick(eventsTopic, "output-topic", "emotion-events"),
        pick(alertsTopic, "alert-topic", "call-alerts"), pick(summariesTopic, "summary-topic", "call-summaries"));
  }

  /** Who may open the page. */
  DashboardServer.Access access() throws IOException {
    if (basicAuthFile != null && bearerTokenFile != null) {
      throw new IllegalArgumentException("give --basic-auth-file or --bearer-token-file, not both");
    }
    if (basicAuthFile != null) {
      String line = Files.readString(basicAuthFile, StandardCharsets.UTF_8).strip();
      int colon = line.indexOf(':');
      if (colon < 1 || colon == line.length() - 1 || line.contains("\n")) {
        throw new IllegalArgumentException(basicAuthFile + " must hold one line USER:PASSWORD, both not empty");
      }
      return new DashboardServer.Access.Basic(line.substring(0, colon), line.substring(colon + 1));
    }
    if (bearerTokenFile != null) {
      String token = Files.readString(bearerTokenFile, StandardCharsets.UTF_8).strip();
      if (token.length() < 16 || token.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(bearerTokenFile + " must hold one token of at least 16 characters");
      }
      return new DashboardServer.Access.Bearer(token);
    }
    return new DashboardServer.Access.Open();
  }

  /** The board these options describe. */
  CallBoard board() throws IOException {
    if (windowMinutes < 1) {
      throw new IllegalArgumentException("--window-minutes must be at least 1, got " + windowMinutes);
    }
    Set<String> negative = new LinkedHashSet<>(negativeLabels != null ? Arrays.asList(negativeLabels)
        : Arrays.asList(pick(null, "call-negative-labels", "angry,disgust,fear,sad").split("\\s*,\\s*")));
    return new CallBoard(windowMinutes * 60_000, maxCalls, negative);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CallBoard board = board();
    DashboardServer.Access access = access();
    TopicReader.Topics topics = topics();
    Map<String, Object> props = kafkaProperties();
    try (DashboardServer server = DashboardServer.start(board, bind, port, access);
        TopicReader reader = new TopicReader(props, topics, board, windowMinutes * 60_000).start()) {
      out.println("ser dashboard: " + server.url() + " (reading " + topics.all() + " at "
          + props.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) + "; Ctrl-C stops)");
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "ser-dashboard-stop"));
      stopped.await();
    }
    return 0;
  }
}
