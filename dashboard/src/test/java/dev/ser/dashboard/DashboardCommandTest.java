package dev.ser.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command reads the stream job's properties file as it is; flags win over it. */
class DashboardCommandTest {

  @TempDir
  Path dir;

  private DashboardCommand parse(String... args) {
    DashboardCommand c = new DashboardCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void theJobsPropertiesFileGivesTheClusterTheTopicsTheSecurityAndTheNegativeLabels() throws Exception {
    Path job = Files.writeString(dir.resolve("job.properties"), String.join("\n",
        "bootstrap-servers=kafka-0.kafka:9093", "input-topic=audio-chunks", "output-topic=emotions-eu",
        "summary-topic=summaries-eu", "call-negative-labels=angry, sad", "model=/models/current/model.onnx",
        "kafka.security.protocol=SASL_SSL", "kafka.sasl.mechanism=SCRAM-SHA-512"));
    DashboardCommand c = parse("--config", job.toString());
    assertThat(c.kafkaProperties()).containsExactlyInAnyOrderEntriesOf(Map.of("bootstrap.servers", "kafka-0.kafka:9093",
        "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));
    assertThat(c.topics()).isEqualTo(new TopicReader.Topics("emotions-eu", "call-alerts", "summaries-eu"));
    CallBoard board = c.board();
    board.onEvent(CallBoardTest.event("c", 0, 0, "angry", 0.5f, 0.3f, false), 0);
    // angry 0.5 + sad 0.2: disgust and fear are not negative here
    assertThat(board.snapshot(new com.fasterxml.jackson.databind.ObjectMapper()).at("/live/0/negative").asDouble())
        .isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-6));

    DashboardCommand flags = parse("--config", job.toString(), "--bootstrap-servers", "localhost:9092",
        "--events-topic", "e", "--kafka", "security.protocol=PLAINTEXT");
    assertThat(flags.kafkaProperties()).containsEntry("bootstrap.servers", "localhost:9092")
        .containsEntry("security.protocol", "PLAINTEXT");
    assertThat(flags.topics()).isEqualTo(new TopicReader.Topics("e", "call-alerts", "summaries-eu"));
  }

  @Test
  void withoutAClusterOrWithBrokenCredentialsItSaysWhatIsMissing() throws Exception {
    assertThatThrownBy(() -> parse().kafkaProperties()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no Kafka cluster: give --bootstrap-servers, or bootstrap-servers in --config");
    Path auth = Files.writeString(dir.resolve("auth"), "justauser\n");
    assertThatThrownBy(() -> parse("--basic-auth-file", auth.toString()).access())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(auth + " must hold one line USER:PASSWORD, both not empty");
    Path token = Files.writeString(dir.resolve("token"), "short\n");
    assertThatThrownBy(() -> parse("--bearer-token-file", token.toString()).access())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(token + " must hold one token of at least 16 characters");
    Files.writeString(auth, "lead:pa:ss\n");
    assertThat(parse("--basic-auth-file", auth.toString()).access())
        .isEqualTo(new DashboardServer.Access.Basic("lead", "pa:ss"));
  }
}
