package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.kafka.KafkaBrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Python examples (examples/python) against the real broker and the job, with Debian's
 * python3-avro and python3-confluent-kafka (CI installs them; skipped where no Python has both):
 * a call sent by the Python producer is scored, its event read back by the Python consumer, and
 * the producer's partitioner put every chunk where Java's default partitioner would.
 */
class PythonClientsITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final Path ROOT = Path.of(System.getProperty("ser.samples.dir")).getParent();
  static KafkaBrokerProcess broker;
  static String python;

  @BeforeAll
  static void start() throws Exception {
    python = findPython();
    Assumptions.assumeTrue(python != null,
        "no Python with the avro and confluent_kafka modules (apt-get install python3-avro python3-confluent-kafka)");
    broker = KafkaBrokerProcess.builder().build().start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  /** Debian's interpreter first: its packages are what CI installs. */
  static String findPython() throws Exception {
    for (String candidate : List.of("/usr/bin/python3", "python3")) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import avro, confluent_kafka").redirectErrorStream(true).start();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (java.io.IOException notThere) {
        // next
      }
    }
    return null;
  }

  /** Runs a script; returns its standard output (librdkafka's log lines go to standard error). */
  static String run(List<String> command) throws Exception {
    Path err = Files.createTempFile("python-client", ".err");
    try {
      Process p = new ProcessBuilder(command).directory(ROOT.resolve("examples/python").toFile())
          .redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
      assertThat(p.exitValue()).as(command + "\n" + out + Files.readString(err)).isZero();
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  @Test
  void aCallSentFromPythonIsScoredAndItsEventReadFromPython() throws Exception {
    StreamJobConfig config = EmotionJobITCase.config(broker, "python", "exactly-once");
    Path wav = ROOT.resolve("samples/emodb/03a01Wa.wav");
    String sent = run(List.of(python, "produce_call.py", "--bootstrap-servers", broker.bootstrapServers(), "--topic",
        config.get(StreamJobOptions.INPUT_TOPIC), "--call-id", "py-call-1", "--channel", "customer", "--speed", "0",
        "--traceparent", TRACE, wav.toString()));
    assertThat(sent.strip()).isEqualTo("sent 20 chunks of py-call-1/customer (22050 Hz) to in-python");

    // every chunk in the partition Java's default partitioner picks for the key (murmur2: 1 of 3);
    // librdkafka's default (CRC32) would pick partition 2 for this key, so a wrong partitioner fails here
    int partitions = 3;
    int expectedPartition = Utils.toPositive(Utils.murmur2("py-call-1".getBytes(StandardCharsets.UTF_8))) % partitions;
    Set<Integer> partitionsUsed = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "check",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(config.get(StreamJobOptions.INPUT_TOPIC)));
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (records.size() < 20 && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      records.forEach(r -> partitionsUsed.add(r.partition()));
      assertThat(records).hasSize(20);
    }
    assertThat(partitionsUsed).containsExactly(expectedPartition);

    JobClient job = KafkaTestSupport.submit(EmotionJob.onKafka(config), "python clients",
        new org.apache.flink.configuration.Configuration());
    try {
      String out = run(List.of(python, "consume_events.py", "--bootstrap-servers", broker.bootstrapServers(),
          "--topic", config.get(StreamJobOptions.OUTPUT_TOPIC), "--max", "1", "--timeout", "90"));
      List<String> lines = out.strip().lines().toList();
      assertThat(lines).as(out).hasSize(1);
      JsonNode e = new ObjectMapper().readTree(lines.get(0));
      assertThat(e.get("utterance_id").asText()).isEqualTo("py-call-1/customer/0");
      assertThat(e.get("channel").asText()).isEqualTo("customer");
      assertThat(e.get("label").asText()).isEqualTo("angry"); // ser score: angry (0.886)
      assertThat(e.get("model").asText()).isEqualTo("ms-senet-emodb 4");
      assertThat(e.get("schema").asText()).isEqualTo("EmotionEvent/v2");
      assertThat(e.get("uncertain").asBoolean()).as("0.886 is not under 0.4").isFalse();
      // the Kafka headers name the schema and the model without decoding the value
      assertThat(e.get("content_type").asText()).isEqualTo(
          "application/avro; encoding=single-object; schema=EmotionEvent/v2; header=c301d8988622efd9cd80");
      assertThat(e.get("ser_model").asText()).isEqualTo("ms-senet-emodb/4");
      assertThat(e.get("traceparent").asText()).as("carried from the chunks").isEqualTo(TRACE);
    } finally {
      EmotionJob.cancel(job);
    }
  }
}
