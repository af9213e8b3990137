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
    assertThat(c.get("input-topic")).isEqualTo("audio-chunks");
    assertThat(c.get("output-topic")).isEqualTo("emotion-events");
    assertThat(c.get("dead-letter-topic")).isEqualTo("audio-dead-letters");
    assertThat(c.exactlyOnce()).isTrue();
    assertThat(c.getLong("transaction-timeout-ms")).isEqualTo(600_000);
    assertThat(c.getInt("max-batch-size")).isEqualTo(1);
    assertThat(c.getInt("scoring-threads")).isEqualTo(1);
    assertThat(c.get("checkpoint-dir")).isEmpty();
    assertThat(c.get("device")).isEqualTo("cpu");
  }

  @Test
  void aFileThenFlagsAndKafkaPassThrough(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("job.properties");
    Files.writeString(file, "bootstrap-servers=broker:9093\nmax-batch-size=8\nkafka.security.protocol=SASL_SSL\n"
        + "kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\""
        + " password=\"hunter2\";\nmodel=" + TestAudio.model() + "\n");
    StreamJobConfig c = StreamJobConfig.builder().load(file).set("max-batch-size", "64").build();
    assertThat(c.get("bootstrap-servers")).isEqualTo("broker:9093");
    assertThat(c.getInt("max-batch-size")).isEqualTo(64);
    assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");
    assertThat(c.describe()).contains("kafka.sasl.jaas.config=******").doesNotContain("hunter2");
    assertThat(c.toString()).doesNotContain("hunter2");
    StreamJobConfig changed = c.toBuilder().set("checkpoint-dir", "file:///tmp/cp").build();
    assertThat(changed.get("checkpoint-dir")).isEqualTo("file:///tmp/cp");
    assertThat(changed.getInt("max-batch-size")).isEqualTo(64);
    assertThat(changed.kafkaProperties()).isEqualTo(c.kafkaProperties());
  }

  @Test
  void everyProblemIsListedWithWhatToFix() {
    assertThatThrownBy(() -> StreamJobConfig.builder().set("max-batch-size", "0").set("device", "gpu")
        .set("delivery-guarantee", "twice").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid stream job configuration:\n"
            + "  --bootstrap-servers is required (Kafka bootstrap servers, host:port[,host:port])\n"
            + "  --model is required (the ONNX model exported by ser train (its metadata configures features and labels))\n"
            + "  --device is \"gpu\"; expected cpu, cuda or cuda:N\n"
            + "  --delivery-guarantee is \"twice\"; expected exactly-once or at-least-once\n"
            + "  --max-batch-size is \"0\"; expected 1..4096");
  }

  @Test
  void settingsThatOnlyFailTogether() {
    assertThatThrownBy(() -> minimal().set("output-topic", "audio-chunks").build())
        .hasMessageContaining("input-topic, output-topic and dead-letter-topic must be three different topics");
    assertThatThrownBy(() -> minimal().set("transaction-timeout-ms", "1000000").build())
        .hasMessageContaining("--transaction-timeout-ms 1000000 is above Kafka's default transaction.max.timeout.ms");
    assertThatThrownBy(() -> minimal().set("transaction-timeout-ms", "4000").build())
        .hasMessageContaining("--transaction-timeout-ms (4000) must be longer than --checkpoint-interval-ms (5000)");
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
}
