package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamJobConfigTest {

  static StreamJobConfig.Builder minimal() {
    return StreamJobConfig.builder().set("bootstrap-servers", "localhost:9092").set("model", TestAudio.model().toString());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    StreamJobConfig c = minimal().build();
    assertThat(c.get(StreamJobOptions.INPUT_TOPIC)).isEqualTo("audio-chunks");
    assertThat(c.get(StreamJobOptions.OUTPUT_TOPIC)).isEqualTo("emotion-events");
    assertThat(c.get(StreamJobOptions.DEAD_LETTER_TOPIC)).isEqualTo("audio-dead-letters");
    assertThat(c.exactlyOnce()).isTrue();
    assertThat(c.get(StreamJobOptions.TRANSACTION_TIMEOUT_MS)).isEqualTo(600_000L);
    assertThat(c.get(StreamJobOptions.MAX_BATCH_SIZE)).isEqualTo(1);
    assertThat(c.get(StreamJobOptions.SCORING_THREADS)).isEqualTo(1);
    assertThat(c.get(StreamJobOptions.CHECKPOINT_DIR)).isEmpty();
    assertThat(c.get(StreamJobOptions.DEVICE)).isEqualTo("cpu");
    assertThat(c.get(StreamJobOptions.ONNX_THREADS)).isEqualTo(1);
  }

  @Test
  void aFileThenFlagsAndKafkaPassThrough(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("job.properties");
    Files.writeString(file, "bootstrap-servers=broker:9093\nmax-batch-size=8\nkafka.security.protocol=SASL_SSL\n"
        + "kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\""
        + " password=\"hunter2\";\nmodel=" + TestAudio.model() + "\n");
    StreamJobConfig c = StreamJobConfig.builder().load(file).set("max-batch-size", "64").build();
    assertThat(c.get(StreamJobOptions.BOOTSTRAP_SERVERS)).isEqualTo("broker:9093");
    assertThat(c.get(StreamJobOptions.MAX_BATCH_SIZE)).isEqualTo(64);
    assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");
    assertThat(c.describe()).contains("kafka.sasl.jaas.config=******").doesNotContain("hunter2");
    assertThat(c.toString()).doesNotContain("hunter2");
    StreamJobConfig changed = c.toBuilder().set("checkpoint-dir", "file:///tmp/cp").build();
    assertThat(changed.get(StreamJobOptions.CHECKPOINT_DIR)).isEqualTo("file:///tmp/cp");
    assertThat(changed.get(StreamJobOptions.MAX_BATCH_SIZE)).isEqualTo(64);
    assertThat(changed.kafkaProperties()).isEqualTo(c.kafkaProperties());
  }

  @Test
  void everyProblemIsListedWithWhatToFix() {
    assertThatThrownBy(() -> StreamJobConfig.builder().set("max-batch-size", "0").set("device", "gpu")
        .set("delivery-guarantee", "twice").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid stream job configuration:\n"
            + "  --bootstrap-servers is required (Kafka bootstrap servers, host:port[,host:port])\n"
            + "  --model is required (the ONNX model exported by ser train (its metadata configures features and labels);"
            + " several, comma-separated, at different sample rates: each stream goes to the model of its rate"
            + " (model-route-between))\n"
            + "  --device is \"gpu\"; expected cpu, cuda or cuda:N\n"
            + "  --delivery-guarantee is \"twice\"; expected exactly-once or at-least-once\n"
            + "  --max-batch-size is \"0\"; expected 1..4096");
  }

  @Test
  void wallClockWaitsAreBoundedSoTheirDeadlinesCannotOverflow() {
    // a deadline is last activity + the wait; Long.MAX_VALUE would wrap it into the past
    assertThatThrownBy(() -> minimal().set("idle-timeout-ms", String.valueOf(Long.MAX_VALUE)).build())
        .hasMessageContaining("--idle-timeout-ms is \"9223372036854775807\"; expected 1..1000000000000000");
    assertThat(minimal().set("max-reorder-wait-ms", "1000000000000000").build()
        .get(StreamJobOptions.MAX_REORDER_WAIT_MS)).isEqualTo(1_000_000_000_000_000L);
  }

  @Test
  void settingsThatOnlyFailTogether() {
    assertThatThrownBy(() -> minimal().set("output-topic", "audio-chunks").build())
        .hasMessageContaining("input-topic, output-topic, dead-letter-topic, alert-topic and summary-topic must be five"
            + " different topics");
    assertThatThrownBy(() -> minimal().set("summary-topic", "call-alerts").build())
        .hasMessageContaining("must be five different topics");
    assertThatThrownBy(() -> minimal().set("wire-format", "confluent").build())
        .hasMessageContaining("--wire-format confluent needs --schema-registry-url (the registry whose schema ids the"
            + " records carry)");
    assertThat(minimal().set("wire-format", "confluent").set("schema-registry-url", "http://registry:8081").build()
        .outputFraming()).isNotNull();
    assertThat(minimal().set("schema-registry-url", "http://registry:8081").build().outputFraming()).isNull();
    assertThatThrownBy(() -> minimal().set("schema-registry-url", "registry:8081").build())
        .hasMessageContaining("--schema-registry-url is \"registry:8081\"; expected empty or an http(s) URL");
    assertThatThrownBy(() -> minimal().set("call-alert-clear-below", "0.7").build())
        .hasMessageContaining("call-alert-clear-below (0.7) must be under call-alert-raise-above (0.6): the hysteresis");
    assertThatThrownBy(() -> minimal().set("transaction-timeout-ms", "1000000").build())
        .hasMessageContaining("--transaction-timeout-ms 1000000 is above Kafka's default transaction.max.timeout.ms");
    assertThatThrownBy(() -> minimal().set("transaction-timeout-ms", "4000").build())
        .hasMessageContaining("--transaction-timeout-ms (4000) must be longer than --checkpoint-interval-ms (5000)");
    // a transaction lives from one checkpoint until the next one completes: an interval plus up to the
    // checkpoint timeout; with both at 10 minutes (Flink's default timeout) it could expire uncommitted
    assertThatThrownBy(() -> minimal().set("transaction-timeout-ms", "600000").set("checkpoint-timeout-ms", "600000")
        .build()).hasMessageContaining("--transaction-timeout-ms (600000) must be longer than --checkpoint-interval-ms"
        + " (5000) plus --checkpoint-timeout-ms (600000), or transactions expire before they commit");
    assertThat(minimal().build().get(StreamJobOptions.CHECKPOINT_TIMEOUT_MS)).isEqualTo(300_000L);
    assertThat(minimal().set("transaction-timeout-ms", "4000").set("delivery-guarantee", "at-least-once").build()
        .exactlyOnce()).isFalse();
    assertThatThrownBy(() -> minimal().set("model", "nowhere.onnx").build())
        .hasMessageContaining("--model nowhere.onnx does not exist");
    assertThatThrownBy(() -> minimal().set("kafka.group.id", "x").build())
        .hasMessageContaining("kafka.group.id is set by the job itself");
  }

  @Test
  void unknownSettingsAreRefusedWithASuggestion() {
    assertThatThrownBy(() -> minimal().set("max-batch-sise", "3"))
        .hasMessage("unknown setting \"max-batch-sise\" (did you mean max-batch-size?); Kafka client properties take"
            + " the prefix kafka. (see 'ser stream --help')");
  }

  @Test
  void typedValuesAndNonNumbersAreRefused() {
    StreamJobConfig c = minimal().set("vad-threshold-db", "7.5").set("max-gap-ms", "1234").build();
    assertThat(c.get(StreamJobOptions.VAD_THRESHOLD_DB)).isEqualTo(7.5);
    assertThat(c.get(StreamJobOptions.MAX_GAP_MS)).isEqualTo(1234L);
    assertThat(c.get(StreamJobOptions.VAD_MIN_SPEECH_DBFS)).isEqualTo(-50.0);
    assertThatThrownBy(() -> minimal().set("max-gap-ms", "ten").set("vad-threshold-db", "loud").build())
        .hasMessage("invalid stream job configuration:\n"
            + "  --vad-threshold-db is \"loud\"; expected a number > 0\n"
            + "  --max-gap-ms is \"ten\"; expected an integer >= 0");
  }

  @Test
  void settingsAlsoComeFromTheFlinkConfigurationUnderSer() {
    org.apache.flink.configuration.Configuration flink = new org.apache.flink.configuration.Configuration();
    flink.setString("ser.max-batch-size", "32");
    flink.setString("ser.kafka.security.protocol", "SSL");
    flink.setString("taskmanager.numberOfTaskSlots", "4"); // not ours: ignored
    StreamJobConfig c = minimal().load(flink).build();
    assertThat(c.get(StreamJobOptions.MAX_BATCH_SIZE)).isEqualTo(32);
    assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SSL");
  }

  @Test
  void theReadmeTableIsGeneratedFromTheOptions() throws Exception {
    // one list: a setting added, renamed or re-defaulted without the README following fails here
    String readme = Files.readString(Path.of(System.getProperty("user.dir"), "README.md"));
    assertThat(readme).contains(StreamJobOptions.markdownTable());
    assertThat(StreamJobOptions.all()).hasSize(72);
    assertThat(StreamJobOptions.all().get("max-channels-per-task").defaultText()).isEqualTo("5000");
    assertThat(StreamJobOptions.all().get("vad-threshold-db").defaultText()).isEqualTo("9");
  }
}
