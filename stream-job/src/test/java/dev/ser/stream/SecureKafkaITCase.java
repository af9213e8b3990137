package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.kafka.SelfSignedTls;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.kafka.KafkaPreflight;
import dev.ser.traffic.ChunkReplayer;
import dev.ser.traffic.SampleCalls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job against a broker whose client listener is SASL_SSL (TLS with a self-signed certificate,
 * SCRAM-SHA-512), configured only through a {@code job.properties} file written the way
 * docs/deployment.md tells users to fill the Helm Secret. The broker authorizes with ACLs: the
 * job's user gets only the ones {@link KafkaPreflight#requiredAcls} names.
 */
class SecureKafkaITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final String USER = "ser-job";
  static final String PASSWORD = "scram-pw-7f3a";
  static final String WRONG_PASSWORD = "wrong-pw-c81d";

  @TempDir
  static Path tmp;
  static KafkaBrokerProcess broker;

  @BeforeAll
  static void start() throws Exception {
    SelfSignedTls tls = SelfSignedTls.generate(tmp.resolve("tls"));
    broker = KafkaBrokerProcess.builder().scramOverTls(tls, Map.of(USER, PASSWORD)).authorizer(true).build().start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  /** The Secret's job.properties: bootstrap, topics and the kafka.* security settings. */
  static Path jobProperties(String test, String password, String... more) throws Exception {
    for (String t : List.of("in-", "out-", "dlq-", "alerts-", "summaries-")) {
      broker.createTopic(t + test, 1);
    }
    StringBuilder p = new StringBuilder();
    p.append("bootstrap-servers=").append(broker.secureBootstrapServers()).append('\n');
    p.append("input-topic=in-").append(test).append('\n');
    p.append("output-topic=out-").append(test).append('\n');
    p.append("dead-letter-topic=dlq-").append(test).append('\n');
    p.append("alert-topic=alerts-").append(test).append('\n');
    p.append("summary-topic=summaries-").append(test).append('\n');
    p.append("group-id=job-").append(test).append('\n');
    p.append("transactional-id-prefix=tx-").append(test).append('\n');
    broker.secureClientProperties(USER, password).forEach((k, v) -> {
      if (!k.equals("bootstrap.servers")) {
        p.append("kafka.").append(k).append('=').append(v).append('\n');
      }
    });
    for (String line : more) {
      p.append(line).append('\n');
    }
    Path file = tmp.resolve(test + ".properties");
    Files.writeString(file, p);
    return file;
  }

  /** Exactly the ACLs KafkaPreflight.requiredAcls names, for the job's user, on this configuration. */
  static void grantJobAcls(StreamJobConfig config) throws Exception {
    String principal = "User:" + USER;
    List<AclBinding> acls = List.of(
        acl(ResourceType.TOPIC, config.get(StreamJobOptions.INPUT_TOPIC), PatternType.LITERAL, principal, AclOperation.READ),
        acl(ResourceType.TOPIC, config.get(StreamJobOptions.OUTPUT_TOPIC), PatternType.LITERAL, principal, AclOperation.WRITE),
        acl(ResourceType.TOPIC, config.get(StreamJobOptions.DEAD_LETTER_TOPIC), PatternType.LITERAL, principal, AclOperation.WRITE),
        acl(ResourceType.TOPIC, config.get(StreamJobOptions.ALERT_TOPIC), PatternType.LITERAL, principal, AclOperation.WRITE),
        acl(ResourceType.TOPIC, config.get(StreamJobOptions.SUMMARY_TOPIC), PatternType.LITERAL, principal, AclOperation.WRITE),
        acl(ResourceType.GROUP, config.get(StreamJobOptions.GROUP_ID), PatternType.LITERAL, principal, AclOperation.READ),
        acl(ResourceType.TRANSACTIONAL_ID, config.get(StreamJobOptions.TRANSACTIONAL_ID_PREFIX), PatternType.PREFIXED, principal,
            AclOperation.WRITE));
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
    return new AclBinding(new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }

  static StreamJobConfig load(Path file) throws Exception {
    return StreamJobConfig.builder().load(file).set("model", TestAudio.model().toString())
        .set("checkpoint-interval-ms", "500").set("max-batch-wait-ms", "5").build();
  }

  @Test
  void withTheRightCredentialsEveryEventArrivesOverSaslSsl() throws Exception {
    StreamJobConfig config = load(jobProperties("right", PASSWORD));
    grantJobAcls(config);
    KafkaPreflight.check(config);
    assertThat(config.describe()).as("the logged settings").doesNotContain(PASSWORD)
        .contains("kafka.sasl.jaas.config=******", "kafka.ssl.truststore.password=******",
            "kafka.security.protocol=SASL_SSL");
    // the test's own clients use the PLAINTEXT listener (a super user): the job's user has only its ACLs
    Map<String, String> client = Map.of("bootstrap.servers", broker.bootstrapServers());
    List<SampleCalls.Call> calls = SampleCalls.build(SampleCalls.clips(TestAudio.samplesDir()).subList(0, 6), 2,
        22050, 1000, "secure-");
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(client)) {
      new ChunkReplayer(producer, config.get(StreamJobOptions.INPUT_TOPIC), 100, 50, SampleEncoding.PCM_S16LE)
          .replay(calls, System.currentTimeMillis());
    }
    JobClient job = KafkaTestSupport.submit(EmotionJob.onKafka(config), "over SASL_SSL", new Configuration());
    try {
      List<EmotionEvent> events = KafkaTestSupport.events(client, config.get(StreamJobOptions.OUTPUT_TOPIC),
          EmotionJobITCase.expected(config, calls).size(), Duration.ofSeconds(2), Duration.ofSeconds(120));
      EmotionJobITCase.assertEventsMatch(events, calls, config);
    } finally {
      EmotionJob.cancel(job);
    }
  }

  @Test
  void aWrongPasswordStopsTheSubmissionWithAClearError() throws Exception {
    Path file = jobProperties("wrong", WRONG_PASSWORD);
    StringWriter err = new StringWriter();
    CommandLine cli = StreamCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("--config", file.toString(), "--model", TestAudio.model().toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().strip()).isEqualTo("ser stream: Kafka at " + broker.secureBootstrapServers()
        + " refused the job's credentials (SASL_SSL SCRAM-SHA-512 as user \"ser-job\"): Authentication failed during"
        + " authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512. Check the user and password"
        + " in kafka.sasl.jaas.config and kafka.sasl.mechanism");
    assertThat(err.toString()).doesNotContain(WRONG_PASSWORD);
  }

  @Test
  void aPlaintextClientOnTheTlsListenerIsToldToCheckTheProtocol() throws Exception {
    StreamJobConfig config = load(jobProperties("plaintext", PASSWORD, "preflight-timeout-ms=3000"))
        .toBuilder().set("kafka.security.protocol", "PLAINTEXT").build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaPreflight.check(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no Kafka broker at " + broker.secureBootstrapServers() + " answered a PLAINTEXT client within"
            + " 3000 ms. Check bootstrap-servers, and that kafka.security.protocol matches the listener (a SASL_SSL or"
            + " SSL listener does not answer PLAINTEXT clients); preflight-timeout-ms sets the wait");
  }

  @Test
  void aMissingTopicIsNamed() throws Exception {
    StreamJobConfig config = load(jobProperties("topics", PASSWORD)).toBuilder()
        .set("output-topic", "no-such-topic").build();
    grantJobAcls(config);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaPreflight.check(config))
        .hasMessage("Kafka at " + broker.secureBootstrapServers() + " has no topic no-such-topic; create it"
            + " (docs/deployment.md lists the topics) or fix input-topic, output-topic, dead-letter-topic, alert-topic,"
            + " summary-topic");
  }

  @Test
  void aUserWithoutAclsIsToldWhichOnesTheJobNeeds() throws Exception {
    StreamJobConfig config = load(jobProperties("noacl", PASSWORD));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaPreflight.check(config))
        .hasMessage("Kafka at " + broker.secureBootstrapServers() + " accepted the login (SASL_SSL SCRAM-SHA-512 as"
            + " user \"ser-job\") but does not let it see topic in-noacl, out-noacl, dlq-noacl, alerts-noacl,"
            + " summaries-noacl. The job's user needs Read on topic in-noacl, Write on topics out-noacl, dlq-noacl,"
            + " alerts-noacl and summaries-noacl, Read on group job-noacl, and Write on"
            + " transactional ids prefixed tx-noacl");
  }

  @Test
  void withoutThePreflightTheJobItselfFailsOnTheWrongPassword() throws Exception {
    StreamJobConfig config = load(jobProperties("unchecked", WRONG_PASSWORD, "preflight-timeout-ms=0"));
    KafkaPreflight.check(config); // skipped
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    JobClient job = KafkaTestSupport.submit(EmotionJob.onKafka(config), "wrong password", conf);
    try {
      ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> job.getJobExecutionResult().get(120, TimeUnit.SECONDS));
      assertThat(failure).hasRootCauseInstanceOf(SaslAuthenticationException.class).rootCause()
          .hasMessage("Authentication failed during authentication due to invalid credentials with SASL mechanism"
              + " SCRAM-SHA-512");
    } finally {
      EmotionJob.cancel(job);
    }
  }
}
