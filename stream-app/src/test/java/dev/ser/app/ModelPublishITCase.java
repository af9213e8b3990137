package dev.ser.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.cli.Cli;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import dev.ser.schemas.WireFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ser model keygen} and {@code ser model publish} against a real broker: what lands on the control topic. */
class ModelPublishITCase {

  @TempDir
  Path dir;

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = Cli.commandLine(new ModelCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void aSignedUpdateForTheShippedModelLandsOnTheControlTopicKeyedByItsBand() throws Exception {
    Path model = Path.of(System.getProperty("ser.samples.dir")).resolveSibling("models/ms-senet-emodb.onnx");
    Path privateKey = dir.resolve("publisher.pem");
    Path publicKey = dir.resolve("job.pub.pem");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(run(out, err, "keygen", "--private-key", privateKey.toString(), "--public-key", publicKey.toString()))
        .isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
    assertThat(run(new StringWriter(), err, "keygen", "--private-key", privateKey.toString(), "--public-key",
        dir.resolve("other.pem").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("refusing to overwrite " + privateKey);

    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      broker.createTopic("model-updates", 1, Map.of("cleanup.policy", "compact"));
      StringWriter printed = new StringWriter();
      assertThat(run(printed, err, "publish", "--bootstrap-servers", broker.bootstrapServers(), "--model",
          model.toString(), "--signing-key", privateKey.toString(), "--issued-by", "ml-team")).isZero();
      assertThat(printed.toString()).contains("\"topic\":\"model-updates\"", "\"band\":\"ALL\"", "\"issuedBy\":\"ml-team\"");
      // a file that is no model is refused before anything is published
      Path text = Files.writeString(dir.resolve("notes.onnx"), "not a model");
      StringWriter refused = new StringWriter();
      assertThat(run(new StringWriter(), refused, "publish", "--bootstrap-servers", broker.bootstrapServers(), "--model",
          text.toString())).isEqualTo(1);
      assertThat(refused.toString()).startsWith("publish: ");

      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "check",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of("model-updates"));
        long deadline = System.currentTimeMillis() + 20_000;
        while (records.isEmpty() && System.currentTimeMillis() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
      }
      assertThat(records).hasSize(1);
      assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("ALL");
      ModelUpdate u = WireFormat.decoder(ModelUpdate.class).decode(records.get(0).value());
      assertThat(u.getModelName()).isEqualTo("ms-senet-emodb");
      assertThat(u.getLocation()).isEqualTo(model.toAbsolutePath().normalize().toString());
      assertThat(u.getSha256()).isEqualTo(ModelChecksum.sha256(model));
      assertThat(u.getBand()).isEqualTo(ModelBand.ALL);
      assertThat(u.getIssuedBy()).isEqualTo("ml-team");
      assertThat(ModelUpdateSignature.verify(ModelUpdateSignature.readPublicKey(publicKey), u)).isTrue();
    }
  }

  static byte[] status(String job, String taskManager, String version, dev.ser.schemas.ModelUpdateOutcome outcome,
      String check, String reason, String active) {
    return WireFormat.encode(dev.ser.schemas.ModelStatus.newBuilder().setJob(job).setTaskManager(taskManager)
        .setModelName("ms-senet-emodb").setModelVersion(version).setSha256("ab".repeat(32)).setBand(ModelBand.ALL)
        .setOutcome(outcome).setCheck(check).setReason(reason).setActiveModelName("ms-senet-emodb")
        .setActiveModelVersion(active).setAt(java.time.Instant.parse("2026-11-30T12:00:00Z")).build());
  }

  @Test
  void statusShowsTheLatestRecordOfEachTaskManager() throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      broker.createTopic("model-status", 1, Map.of("cleanup.policy", "compact"));
      try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
          "bootstrap.servers", broker.bootstrapServers()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
          new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        var ok = dev.ser.schemas.ModelUpdateOutcome.ACTIVE;
        var refused = dev.ser.schemas.ModelUpdateOutcome.REFUSED;
        for (byte[] v : List.of(status("job-a", "tm-1/11", "2", ok, null, null, "2"),
            status("job-a", "tm-2/12", "2", ok, null, null, "2"),
            status("job-a", "tm-1/11", "3", ok, null, null, "3"),
            status("job-a", "tm-2/12", "3", refused, "SHA256", "the file's SHA-256 is 00", "2"),
            status("job-b", "tm-9/19", "2", ok, null, null, "2"))) {
          producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("model-status",
              "k".getBytes(StandardCharsets.UTF_8), v)).get();
        }
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("model-status",
            "k".getBytes(StandardCharsets.UTF_8), "not a status".getBytes(StandardCharsets.UTF_8))).get();
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      assertThat(run(out, err, "status", "--bootstrap-servers", broker.bootstrapServers(), "--job", "job-a")).isZero();
      assertThat(out.toString().lines().toList()).containsExactly(
          "{\"job\":\"job-a\",\"taskManager\":\"tm-1/11\",\"activeModel\":\"ms-senet-emodb\",\"activeVersion\":\"3\","
              + "\"lastUpdate\":\"ms-senet-emodb 3\",\"outcome\":\"ACTIVE\",\"check\":null,\"reason\":null,"
              + "\"at\":\"2026-11-30T12:00:00Z\"}",
          "{\"job\":\"job-a\",\"taskManager\":\"tm-2/12\",\"activeModel\":\"ms-senet-emodb\",\"activeVersion\":\"2\","
              + "\"lastUpdate\":\"ms-senet-emodb 3\",\"outcome\":\"REFUSED\",\"check\":\"SHA256\","
              + "\"reason\":\"the file's SHA-256 is 00\",\"at\":\"2026-11-30T12:00:00Z\"}");
      assertThat(err.toString()).isEqualTo("1 records on model-status are no ModelStatus and were skipped\n");
      StringWriter none = new StringWriter();
      assertThat(run(new StringWriter(), none, "status", "--bootstrap-servers", broker.bootstrapServers(), "--job",
          "job-c")).isZero();
      assertThat(none.toString()).startsWith("no status records of job job-c on model-status");
    }
  }
}
