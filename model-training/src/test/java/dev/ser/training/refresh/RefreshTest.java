package dev.ser.training.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import dev.ser.training.Samples;
import dev.ser.training.cli.RefreshCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * {@code ser refresh} judges models on a promotion set it scores itself, makes a version and the
 * {@code current} link appear whole, and publishes a model update to a real broker; no Kubernetes.
 */
class RefreshTest {

  static final Path SHIPPED = Samples.emodb().getParent().resolveSibling("models/ms-senet-emodb.onnx");
  /** One clip per class, all of speaker 03: the promotion set of the end-to-end test. */
  static final List<String> SPEAKER_03 = List.of("03a01Fa.wav", "03a01Nc.wav", "03a01Wa.wav", "03a02Ta.wav",
      "03a04Ad.wav", "03a04Lc.wav", "03b10Ec.wav");

  @Test
  void theDecisionFollowsTheMargin() {
    assertThat(ModelPromotion.decide(Double.NaN, 0.3, 0.01).promote()).isTrue();
    assertThat(ModelPromotion.decide(0.60, 0.595, 0.01).promote()).isTrue();
    assertThat(ModelPromotion.decide(0.60, 0.589, 0.01).promote()).isFalse();
    assertThat(ModelPromotion.decide(0.60, 0.589, 0.01).reason())
        .isEqualTo("on the promotion set, candidate UAR 58.90 % < current 60.00 % - margin 1.00 points");
    assertThat(ModelPromotion.decide(0.60, 0.70, 0).promote()).isTrue();
    assertThatThrownBy(() -> ModelPromotion.decide(0.6, 0.6, -0.1)).hasMessageContaining("margin must be a fraction");
    assertThatThrownBy(() -> ModelPromotion.decide(0.6, Double.NaN, 0.01)).hasMessageContaining("not a fraction");
  }

  @Test
  void thePromotionSetIsScoredAsSerScoreDoesAndKnowsWhatTheShippedModelLeftOut() throws Exception {
    PromotionSet demo = PromotionSet.load("emodb", Samples.emodb());
    assertThat(demo.clips()).hasSize(21);
    PromotionSet.Score s = demo.score(SHIPPED);
    // the model card's "ser score on the 22 050 Hz WAV files: 17 of 21"; 3 clips per class, so UAR = 17/21
    assertThat(s.correct()).isEqualTo(17);
    assertThat(s.uar()).isEqualTo(17.0 / 21, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.sawSet()).as("the shipped model lists the 21 demo clips as left out").isFalse();
  }

  static Path version(Path models, String v) throws Exception {
    Path dir = Files.createDirectories(models.resolve("versions").resolve(v));
    Files.copy(SHIPPED, dir.resolve("model.onnx"));
    ModelChecksum.writeSidecar(dir.resolve("model.onnx"));
    return dir;
  }

  @Test
  void aVersionAppearsWholeAndCurrentIsOneLinkReplacedByARename(@TempDir Path models) throws Exception {
    Path old = Files.createDirectories(models.resolve("current")); // the layout before links
    Files.writeString(old.resolve("VERSION"), "old\n");
    Files.createDirectories(ModelPromotion.partialDir(models, "a"));
    Files.copy(SHIPPED, ModelPromotion.partialDir(models, "a").resolve("model.onnx"));
    ModelChecksum.writeSidecar(ModelPromotion.partialDir(models, "a").resolve("model.onnx"));
    assertThat(ModelPromotion.complete(models, "a")).isEqualTo(models.resolve("versions/a"));
    assertThat(ModelPromotion.partialDir(models, "a")).doesNotExist();

    ModelPromotion.promote(models, "a");
    assertThat(Files.readSymbolicLink(models.resolve("current"))).isEqualTo(Path.of("versions/a"));
    assertThat(ModelPromotion.currentVersion(models)).isEqualTo("a");
    try (var kept = Files.list(models.resolve("versions"))) {
      assertThat(kept.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("before-links-")).contains("a");
    }
    version(models, "b");
    ModelPromotion.promote(models, "b");
    assertThat(ModelPromotion.currentVersion(models)).isEqualTo("b");
    ModelChecksum.verify(models.resolve(ModelPromotion.CURRENT_MODEL),
        ModelChecksum.expected(models.resolve(ModelPromotion.CURRENT_MODEL), null)); // model and sidecar of one version
    try (var top = Files.list(models)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("current", "versions");
    }
    assertThatThrownBy(() -> ModelPromotion.promote(models, "missing")).hasMessageStartingWith("no model in ");
  }

  /**
   * Two refreshes on the 21 sample clips with speaker 03's seven as the promotion set: a weak
   * model is kept out; with a wide margin it is promoted and published on the control topic.
   */
  @Test
  void refreshJudgesOnThePromotionSetPromotesAndPublishes(@TempDir Path dir) throws Exception {
    Path models = dir.resolve("models");
    version(models, "shipped");
    ModelPromotion.promote(models, "shipped");
    Path promotion = Files.createDirectories(dir.resolve("promotion"));
    for (String name : SPEAKER_03) {
      Files.copy(Samples.emodb().resolve(name), promotion.resolve(name));
    }
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      broker.createTopic("model-updates", 1, Map.of("cleanup.policy", "compact"));
      String[] common = {"--corpus", "emodb", "--data", Samples.emodb().toString(), "--promotion-set",
          promotion.toString(), "--models", models.toString(), "--bootstrap-servers", broker.bootstrapServers()};

      String first = run(common, "--margin", "0.01", "--version", "weak", "--", "--folds", "2", "--epochs", "1");
      assertThat(first).contains("on the promotion set (7 clips in " + promotion + "): candidate weak UAR ")
          .contains("current shipped UAR ").contains("version weak NOT promoted");
      assertThat(ModelPromotion.currentVersion(models)).isEqualTo("shipped");
      assertThat(models.resolve("versions/weak/model.onnx.sha256")).exists();
      try (EmotionScorer weak = EmotionScorer.open(models.resolve("versions/weak/model.onnx"))) {
        assertThat(weak.metadata().crossValidation()).as("the promotion set left out of its final training")
            .contains("\"final_model_excluded\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(SPEAKER_03.stream().sorted().toList()));
      }

      String second = run(common, "--margin", "1", "--version", "wide", "--", "--folds", "2", "--epochs", "1");
      assertThat(second).contains("version wide promoted").contains("ser refresh: published {\"topic\":\"model-updates\"");
      assertThat(ModelPromotion.currentVersion(models)).isEqualTo("wide");

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
      assertThat(records).as("only the promoted version is published").hasSize(1);
      assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("ALL");
      ModelUpdate u = WireFormat.decoder(ModelUpdate.class).decode(records.get(0).value());
      Path wide = models.resolve("versions/wide/model.onnx").toAbsolutePath().normalize();
      assertThat(u.getModelVersion()).isEqualTo("wide");
      assertThat(u.getLocation()).as("the version's own path, which never changes").isEqualTo(wide.toString());
      assertThat(u.getSha256()).isEqualTo(ModelChecksum.sha256(wide));
      assertThat(u.getBand()).isEqualTo(ModelBand.ALL);
      assertThat(u.getIssuedBy()).isEqualTo("ser refresh");
    }
  }

  static String run(String[] common, String... more) {
    List<String> args = new ArrayList<>(List.of(common));
    args.addAll(List.of(more));
    StringWriter printed = new StringWriter();
    CommandLine cli = new CommandLine(new RefreshCommand());
    cli.setOut(new PrintWriter(printed, true));
    int code = cli.execute(args.toArray(String[]::new));
    assertThat(code).as(printed.toString()).isZero();
    return printed.toString();
  }
}
