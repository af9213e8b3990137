package dev.ser.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.scoring.ModelChecksum;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.ModelStatus;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.EmotionJob;
import dev.ser.stream.StreamJobConfig;
import dev.ser.training.cli.RefreshCommand;
import dev.ser.training.refresh.ModelPromotion;
import dev.ser.traffic.ChunkReplayer;
import dev.ser.traffic.SampleCalls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The refresh end to end (issue 16): a running job loads the models volume's {@code current};
 * {@code ser refresh} trains a version, judges and promotes it, and publishes it; the job swaps to
 * it without a restart and its events name the new version. A refresh needs nothing from Kubernetes.
 */
class RefreshUpdatesRunningJobITCase {

  static final Path SAMPLES = Path.of(System.getProperty("ser.samples.dir")).resolve("emodb");
  static final Path SHIPPED = SAMPLES.getParent().resolveSibling("models/ms-senet-emodb.onnx");

  @TempDir
  Path dir;

  static <T> List<T> read(String bootstrap, String topic, int atLeast, Function<ConsumerRecord<byte[], byte[]>, T> f) {
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 120_000;
      while (out.size() < atLeast && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(f.apply(r)));
      }
    }
    return out;
  }

  static <T extends org.apache.avro.specific.SpecificRecord> Function<ConsumerRecord<byte[], byte[]>, T> decode(
      Class<T> type) {
    var decoder = WireFormat.decoder(type);
    return r -> {
      try {
        return decoder.decode(r.value());
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    };
  }

  @Test
  void aPromotedVersionIsPublishedAndTheRunningJobScoresWithIt() throws Exception {
    Path models = dir.resolve("models");
    Path shipped = Files.createDirectories(models.resolve("versions/shipped"));
    Files.copy(SHIPPED, shipped.resolve("model.onnx"));
    ModelChecksum.writeSidecar(shipped.resolve("model.onnx"));
    ModelPromotion.promote(models, "shipped");
    Path promotion = Files.createDirectories(dir.resolve("promotion"));
    try (var clips = Files.list(SAMPLES)) {
      for (Path wav : clips.filter(p -> p.getFileName().toString().startsWith("03")).toList()) {
        Files.copy(wav, promotion.resolve(wav.getFileName()));
      }
    }
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      for (String t : List.of("in", "out", "dlq", "alerts", "summaries")) {
        broker.createTopic(t, 1);
      }
      broker.createTopic("model-updates", 1, Map.of("cleanup.policy", "compact"));
      broker.createTopic("model-status", 1, Map.of("cleanup.policy", "compact"));
      String bootstrap = broker.bootstrapServers();
      StreamJobConfig config = StreamJobConfig.builder().set("bootstrap-servers", bootstrap).set("input-topic", "in")
          .set("output-topic", "out").set("dead-letter-topic", "dlq").set("alert-topic", "alerts")
          .set("summary-topic", "summaries").set("model", models.resolve("current/model.onnx").toString())
          .set("model-update-topic", "model-updates").set("model-status-topic", "model-status")
          .set("score-channels", "*").set("checkpoint-interval-ms", "500").set("parallelism", "1")
          .set("starting-offsets", "earliest").build();
      Configuration conf = new Configuration();
      conf.set(PipelineOptions.GENERIC_TYPES, false);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
      EmotionJob.onKafka(config).addTo(env);
      JobClient job = env.executeAsync("refresh end to end");
      try {
        assertThat(read(bootstrap, "model-status", 1, decode(ModelStatus.class))).as("the job is up").hasSize(1);

        StringWriter printed = new StringWriter();
        CommandLine cli = new CommandLine(new RefreshCommand());
        cli.setOut(new PrintWriter(printed, true));
        int code = cli.execute("--corpus", "emodb", "--data", SAMPLES.toString(), "--promotion-set",
            promotion.toString(), "--models", models.toString(), "--margin", "1", "--version", "refreshed",
            "--bootstrap-servers", bootstrap, "--", "--folds", "2", "--epochs", "1");
        assertThat(code).as(printed.toString()).isZero();
        assertThat(printed.toString()).contains("version refreshed promoted").contains("ser refresh: published");

        List<ModelStatus> statuses = read(bootstrap, "model-status", 2, decode(ModelStatus.class));
        assertThat(statuses.get(1).getOutcome().name() + " " + statuses.get(1).getModelVersion())
            .isEqualTo("ACTIVE refreshed");

        List<SampleCalls.Call> call = SampleCalls.build(SampleCalls.clips(SAMPLES).subList(0, 3), 1, 22050, 1000, "r-");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
            new ByteArraySerializer(), new ByteArraySerializer())) {
          new ChunkReplayer(producer, "in", 100, 20, SampleEncoding.PCM_S16LE).replay(call, System.currentTimeMillis());
        }
        List<EmotionEvent> events = read(bootstrap, "out", 3, decode(EmotionEvent.class));
        assertThat(events).hasSize(3);
        assertThat(events).extracting(e -> e.getModelVersion().toString()).containsOnly("refreshed");
      } finally {
        EmotionJob.cancel(job);
      }
    }
  }
}
