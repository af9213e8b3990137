package dev.ser.kafka;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import dev.ser.childjvm.ChildJvm;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real single-node Kafka broker (combined KRaft broker and controller) in a child JVM, started
 * from the jars of this JVM's classpath. For integration tests and {@code ser demo}: no Docker, no
 * installation. The broker can be killed with SIGKILL and restarted on the same ports and log
 * directory, as a crash would. The child halts by itself when this JVM dies ({@code WatchedMain}).
 *
 * <pre>{@code
 * try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
 *   broker.createTopic("audio-chunks", 4);
 *   String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  private final Path dir;
  private final boolean deleteOnClose;
  private final String classpath;
  private final String javaOptions;
  private final Map<String, String> overrides;
  private final int transactionVersion;
  private final Duration startTimeout;
  private final int brokerPort;
  private final int controllerPort;
  private final SelfSignedTls tls;
  private final Map<String, String> scramUsers;
  private final int securePort;
  private final boolean authorizer;
  private Process process;
  private boolean formatted;

  private KafkaBrokerProcess(Builder b) throws IOException {
    this.deleteOnClose = b.dir == null;
    this.dir = b.dir != null ? Files.createDirectories(b.dir) : Files.createTempDirectory("ser-kafka-");
    this.classpath = b.classpath;
    this.javaOptions = b.javaOptions;
    this.overrides = new LinkedHashMap<>(b.overrides);
    this.transactionVersion = b.transactionVersion;
    this.startTimeout = b.startTimeout;
    int[] ports = ChildJvm.freePorts(3); // distinct: two listeners on one port fail the broker's start
    this.brokerPort = ports[0];
    this.controllerPort = ports[1];
    this.tls = b.tls;
    this.scramUsers = new LinkedHashMap<>(b.scramUsers);
    this.securePort = tls == null ? -1 : ports[2];
    this.authorizer = b.authorizer;
  }

  /** The SCRAM mechanism of the secure listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  public static Builder builder() {
    return new Builder();
  }

  /** {@code host:port} for Kafka clients. */
  public String bootstrapServers() {
    return "localhost:" + brokerPort;
  }

  /** {@code host:port} of the SASL_SSL listener; only with {@link Builder#scramOverTls}. */
  public String secureBootstrapServers() {
    if (tls == null) {
      throw new IllegalStateException("this broker has no SASL_SSL listener (Builder.scramOverTls)");
    }
    return "localhost:" + securePort;
  }

  /**
   * Kafka client properties that reach the SASL_SSL listener as {@code user} with {@code password}
   * (not checked here: wrong ones are for tests of the refusal).
   */
  public Map<String, String> secureClientProperties(String user, String password) {
    secureBootstrapServers();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("bootstrap.servers", secureBootstrapServers());
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", SCRAM_MECHANISM);
    p.put("sasl.jaas.config", scramJaas(user, password));
    p.put("ssl.truststore.location", tls.truststore().toString());
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.password", tls.password());
    return p;
  }

  /** The JAAS line of a SCRAM client login. */
  public static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";";
  }

  public Path directory() {
    return dir;
  }

  /** The broker's own output (startup, errors). */
  public Path logFile() {
    return dir.resolve("broker.log");
  }

  /** Process id of the running broker JVM. */
  public long pid() {
    if (process == null) {
      throw new IllegalStateException("the broker was never started");
    }
    return process.pid();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Formats the log directory (first time only), starts the broker and waits until it serves. */
  public synchronized KafkaBrokerProcess start() throws IOException, InterruptedException {
    if (isRunning()) {
      return this;
    }
    Path config = writeConfig();
    if (!formatted) {
      // "--cluster-id=ID": a base64url id may start with '-', which a separate argument would turn into an option
      List<String> format = new ArrayList<>(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId(),
          "-c", config.toString(), "--feature", "transaction.version=" + transactionVersion));
      scramUsers.forEach((user, password) -> {
        format.add("--add-scram");
        format.add(SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]");
      });
      List<String> cmd = new ArrayList<>();
      cmd.add(ChildJvm.javaExecutable());
      cmd.addAll(javaOptions());
      cmd.addAll(format);
      Process p = ChildJvm.plain(childClasspath(), cmd, dir).redirectOutput(dir.resolve("format.log").toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("formatting the Kafka log directory failed; see " + dir.resolve("format.log") + ":\n"
            + ChildJvm.tail(dir.resolve("format.log")));
      }
      formatted = true;
    }
    process = ChildJvm.watched(childClasspath(), javaOptions(), dir, "kafka.Kafka", List.of(config.toString()))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
    awaitReady();
    return this;
  }

  /** Kills the broker with SIGKILL, as a crash would; {@link #start()} brings it back. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Stops the broker with SIGTERM (controlled shutdown), SIGKILL after 30 s. */
  public synchronized void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Creates a topic with replication factor 1; does nothing when it exists. */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  public void createTopic(String name, int partitions, Map<String, String> config) {
    try (Admin admin = Admin.create(adminConfig())) {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
        return;
      }
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config))).all()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers() + ": " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (deleteOnClose) {
      ChildJvm.deleteRecursively(dir);
    }
  }

  private Map<String, Object> adminConfig() {
    return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the Kafka broker exited with status " + process.exitValue() + "; its log "
            + logFile() + " ends with:\n" + ChildJvm.tail(logFile()));
      }
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000))) {
        if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(200);
    }
    process.destroyForcibly();
    throw new IOException("the Kafka broker did not serve within " + startTimeout.toSeconds() + " s (last error: "
        + last + "); its log " + logFile() + " ends with:\n" + ChildJvm.tail(logFile()));
  }

  private static String clusterId() {
    return org.apache.kafka.common.Uuid.randomUuid().toString();
  }

  private Path writeConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
    String secure = tls == null ? "" : ",SASL_SSL://localhost:" + securePort;
    p.setProperty("listeners", "PLAINTEXT://localhost:" + brokerPort + secure + ",CONTROLLER://localhost:"
        + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort + secure);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        + (tls == null ? "" : ",SASL_SSL:SASL_SSL"));
    if (authorizer) {
      // ACLs decide for SASL users; the PLAINTEXT and CONTROLLER listeners (principal ANONYMOUS)
      // are the broker's own and the test's administration, so ANONYMOUS is a super user
      p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      p.setProperty("super.users", "User:ANONYMOUS");
    }
    if (tls != null) {
      String prefix = "listener.name.sasl_ssl.";
      p.setProperty(prefix + "sasl.enabled.mechanisms", SCRAM_MECHANISM);
      p.setProperty(prefix + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      p.setProperty(prefix + "ssl.keystore.location", tls.keystore().toString());
      p.setProperty(prefix + "ssl.keystore.type", "PKCS12");
      p.setProperty(prefix + "ssl.keystore.password", tls.password());
      p.setProperty(prefix + "ssl.key.password", tls.password());
    }
    p.setProperty("log.dirs", dir.resolve("data").toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "4");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // a restarted broker rejoins its own controller quickly with these (see shared/notes/stack.md)
    p.setProperty("broker.session.timeout.ms", "2000");
    p.setProperty("broker.heartbeat.interval.ms", "500");
    overrides.forEach(p::setProperty);
    Path file = dir.resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "written by " + KafkaBrokerProcess.class.getName());
    }
    return file;
  }

  private List<String> javaOptions() {
    return java.util.Arrays.stream(javaOptions.trim().split("\\s+")).filter(o -> !o.isEmpty()).toList();
  }

  /** The configured classpath, with {@link ChildJvm}'s module for the watchdog main. */
  private String childClasspath() {
    return classpath + java.io.File.pathSeparator + ChildJvm.ownLocation();
  }

  /** Settings; {@link #build()} checks them. */
  public static final class Builder {
    private Path dir;
    private String classpath = System.getProperty("java.class.path");
    private String javaOptions = "-Xms128m -Xmx768m -XX:+UseParallelGC";
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private int transactionVersion = 2;
    private Duration startTimeout = Duration.ofSeconds(90);
    private SelfSignedTls tls;
    private final Map<String, String> scramUsers = new LinkedHashMap<>();
    private boolean authorizer;

    private Builder() {}

    /**
     * Enables Kafka's StandardAuthorizer: SASL users may do only what ACLs allow (none at start);
     * clients of the PLAINTEXT listener remain super users. Grant ACLs through an Admin client on
     * {@link KafkaBrokerProcess#bootstrapServers()}.
     */
    public Builder authorizer(boolean enabled) {
      this.authorizer = enabled;
      return this;
    }

    /**
     * Adds a SASL_SSL listener: TLS with {@code tls}'s keystore, SCRAM-SHA-512 with these users
     * (name to password), created when the log directory is formatted.
     */
    public Builder scramOverTls(SelfSignedTls tls, Map<String, String> users) {
      this.tls = tls;
      this.scramUsers.clear();
      this.scramUsers.putAll(users);
      return this;
    }

    /** Log directory, kept on close; default a temporary directory deleted on close. */
    public Builder directory(Path dir) {
      this.dir = dir;
      return this;
    }

    /** Classpath of the child JVM; it must hold kafka_2.13 and its dependencies. Default: this JVM's. */
    public Builder classpath(String classpath) {
      this.classpath = classpath;
      return this;
    }

    public Builder javaOptions(String javaOptions) {
      this.javaOptions = javaOptions;
      return this;
    }

    /** Any {@code server.properties} entry, over the defaults. */
    public Builder brokerProperty(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    /** Kafka's {@code transaction.version} feature at format time: 1 or 2 (Kafka 4.2's default). */
    public Builder transactionVersion(int version) {
      this.transactionVersion = version;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public KafkaBrokerProcess build() throws IOException {
      if (classpath == null || !classpath.contains("kafka_2.13")) {
        throw new IllegalStateException("the broker's classpath has no kafka_2.13 jar; run it from a module that"
            + " depends on ser-embedded-kafka, or set Builder.classpath (surefire: useManifestOnlyJar=false)");
      }
      if (tls != null && scramUsers.isEmpty()) {
        throw new IllegalArgumentException("a SASL_SSL listener needs at least one SCRAM user");
      }
      for (String user : scramUsers.keySet()) {
        if (!user.matches("[A-Za-z0-9._-]+") || scramUsers.get(user).matches(".*[,\\]\"\\s].*")) {
          throw new IllegalArgumentException("SCRAM user " + user + ": names are [A-Za-z0-9._-]+ and passwords"
              + " have no comma, bracket, quote or space (kafka-storage --add-scram syntax)");
        }
      }
      if (transactionVersion < 0 || transactionVersion > 2) {
        throw new IllegalArgumentException("transaction.version must be 0, 1 or 2, got " + transactionVersion);
      }
      return new KafkaBrokerProcess(this);
    }
  }
}
