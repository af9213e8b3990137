package dev.ser.dashboard;

import dev.ser.cli.Cli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
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
        "Keys of the --config properties file starting with kafka. go to the Kafka client (put secrets there, not on"
            + " the command line)."})
public final class DashboardCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT") String bootstrap;

  @Option(names = "--config", paramLabel = "FILE", description = "properties file; kafka.* keys go to the Kafka client")
  Path config;

  @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "a Kafka client property; repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(names = "--events-topic", defaultValue = "emotion-events", description = "(default: ${DEFAULT-VALUE})")
  String eventsTopic;

  @Option(names = "--alerts-topic", defaultValue = "call-alerts", description = "(default: ${DEFAULT-VALUE})")
  String alertsTopic;

  @Option(names = "--summaries-topic", defaultValue = "call-summaries", description = "(default: ${DEFAULT-VALUE})")
  String summariesTopic;

  @Option(names = "--window-minutes", defaultValue = "60",
      description = "how far back the page starts reading, how long ended calls stay listed and how long a silent call"
          + " waits for its summary (default: ${DEFAULT-VALUE})")
  long windowMinutes;

  @Option(names = "--max-calls", defaultValue = "5000",
      description = "at most this many live and this many ended calls in memory, the oldest dropped (default: ${DEFAULT-VALUE})")
  int maxCalls;

  @Option(names = "--negative-labels", defaultValue = "angry,disgust,fear,sad", split = ",",
      description = "labels whose probabilities add up to an utterance's negative affect, as the job's"
          + " call-negative-labels (default: ${DEFAULT-VALUE})")
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

  /** The Kafka client properties: the config file's kafka.* keys, then --kafka, then the bootstrap servers. */
  Map<String, Object> kafkaProperties() throws IOException {
    Map<String, Object> props = new LinkedHashMap<>();
    if (config != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      for (String key : p.stringPropertyNames()) {
        if (!key.startsWith("kafka.") || key.length() == "kafka.".length()) {
          throw new IllegalArgumentException(config + ": " + key + " is not a setting of ser dashboard; Kafka client"
              + " properties take the prefix kafka. (kafka.security.protocol=SASL_SSL)");
        }
        props.put(key.substring("kafka.".length()), p.getProperty(key));
      }
    }
    props.putAll(kafka);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return props;
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
  CallBoard board() {
    if (windowMinutes < 1) {
      throw new IllegalArgumentException("--window-minutes must be at least 1, got " + windowMinutes);
    }
    Set<String> negative = new LinkedHashSet<>(Arrays.asList(negativeLabels));
    return new CallBoard(windowMinutes * 60_000, maxCalls, negative);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CallBoard board = board();
    DashboardServer.Access access = access();
    TopicReader.Topics topics = new TopicReader.Topics(eventsTopic, alertsTopic, summariesTopic);
    try (DashboardServer server = DashboardServer.start(board, bind, port, access);
        TopicReader reader = new TopicReader(kafkaProperties(), topics, board, windowMinutes * 60_000).start()) {
      out.println("ser dashboard: " + server.url() + " (reading " + topics.all() + " at " + bootstrap + "; Ctrl-C stops)");
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "ser-dashboard-stop"));
      stopped.await();
    }
    return 0;
  }
}
