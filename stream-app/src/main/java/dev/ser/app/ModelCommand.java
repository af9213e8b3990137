package dev.ser.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.cli.Cli;
import dev.ser.cli.KafkaClientSettings;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.model.ModelUpdateSignature;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser model}: publish a model update on the control topic (issue 16), and make the Ed25519
 * key pair that signs updates. The job reading the control topic is the next step; the record,
 * its checks and the signature are what it will verify ({@code ModelCandidateCheck}).
 */
@Command(name = "ser model", sortOptions = false, subcommands = {ModelCommand.Keygen.class, ModelCommand.Publish.class},
    description = "Model updates without a restart: 'keygen' makes the key pair that signs updates, 'publish' asks"
        + " running jobs to score with another model (a ModelUpdate on the control topic).")
public final class ModelCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit") boolean help;

  public static void main(String[] args) {
    Cli.run(new ModelCommand(), args);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(name = "keygen", description = "Writes an Ed25519 key pair as PEM: the private key signs updates (keep it"
      + " with the publisher, mode 600), the public key goes to the job (model-update-public-key).")
  static final class Keygen implements Callable<Integer> {
    @Option(names = "--private-key", required = true, paramLabel = "FILE") Path privateKey;
    @Option(names = "--public-key", required = true, paramLabel = "FILE") Path publicKey;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(privateKey) || Files.exists(publicKey)) {
        throw new IllegalArgumentException("refusing to overwrite " + (Files.exists(privateKey) ? privateKey : publicKey));
      }
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Files.createFile(privateKey, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(privateKey, ModelUpdateSignature.pem(pair.getPrivate(), "PRIVATE KEY"));
      Files.writeString(publicKey, ModelUpdateSignature.pem(pair.getPublic(), "PUBLIC KEY"));
      spec.commandLine().getOut().println("wrote " + privateKey + " (private, mode 600) and " + publicKey + " (public)");
      return 0;
    }
  }

  @Command(name = "publish", sortOptions = false, description = "Publishes a ModelUpdate for a model file: its name"
      + " and version from its metadata, its SHA-256, where TaskManagers find it, the band, and a signature when"
      + " --signing-key is given. The record's key is the band, so the compacted topic keeps the latest per band.")
  static final class Publish implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "or bootstrap-servers in --config")
    String bootstrap;
    @Option(names = "--config", paramLabel = "FILE", description = "the stream job's properties file: its"
        + " bootstrap-servers and kafka.* keys are used") Path config;
    @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "a Kafka client property; repeatable")
    Map<String, String> kafka = new LinkedHashMap<>();
    @Option(names = "--topic", defaultValue = "model-updates", description = "the control topic (default: ${DEFAULT-VALUE})")
    String topic;
    @Option(names = "--model", required = true, paramLabel = "FILE.onnx",
        description = "the model; unless --url is given, this absolute path must be where every TaskManager sees it")
    Path model;
    @Option(names = "--url", paramLabel = "https://...", description = "where TaskManagers download it instead")
    String url;
    @Option(names = "--band", defaultValue = "ALL", description = "ALL, NARROWBAND or WIDEBAND (default: ${DEFAULT-VALUE})")
    ModelBand band;
    @Option(names = "--signing-key", paramLabel = "FILE", description = "Ed25519 private key (PEM) to sign with")
    Path signingKey;
    @Option(names = "--issued-by", description = "who publishes (default: the user name)")
    String issuedBy;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The update for {@link #model}, signed when a key is given. */
    ModelUpdate update() throws Exception {
      if (band == ModelBand.UNKNOWN) {
        throw new IllegalArgumentException("--band must be ALL, NARROWBAND or WIDEBAND");
      }
      if (url != null && !url.startsWith("https://")) {
        throw new IllegalArgumentException("--url must be an https URL, got " + url);
      }
      ModelMetadata m;
      try (EmotionScorer scorer = EmotionScorer.open(model)) {
        m = scorer.metadata(); // also refuses a file that is no emotion model before anything is published
      }
      ModelUpdate u = ModelUpdate.newBuilder().setModelName(m.name()).setModelVersion(m.version())
          .setLocation(url != null ? url : model.toAbsolutePath().normalize().toString())
          .setSha256(ModelChecksum.sha256(model)).setBand(band).setIssuedAt(Instant.now())
          .setIssuedBy(issuedBy != null ? issuedBy : System.getProperty("user.name", "unknown")).build();
      if (signingKey != null) {
        u.setSignature(ByteBuffer.wrap(ModelUpdateSignature.sign(ModelUpdateSignature.readPrivateKey(signingKey), u)));
      }
      return u;
    }

    Map<String, Object> producerProperties() throws Exception {
      Map<String, Object> props = KafkaClientSettings.clientProperties(config, bootstrap, kafka);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      return props;
    }

    @Override
    public Integer call() throws Exception {
      ModelUpdate u = update();
      RecordMetadata written;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        written = producer.send(new ProducerRecord<>(topic, u.getBand().name().getBytes(StandardCharsets.UTF_8),
            WireFormat.encode(u))).get();
      }
      PrintWriter out = spec.commandLine().getOut();
      ObjectNode json = new ObjectMapper().createObjectNode().put("topic", written.topic())
          .put("partition", written.partition()).put("offset", written.offset()).put("model", u.getModelName())
          .put("version", u.getModelVersion()).put("location", u.getLocation()).put("sha256", u.getSha256())
          .put("band", u.getBand().name()).put("issuedBy", u.getIssuedBy())
          .put("signature", u.getSignature() == null ? null : HexFormat.of().formatHex(u.getSignature().array()));
      out.println(json.toString());
      out.flush();
      return 0;
    }
  }
}
