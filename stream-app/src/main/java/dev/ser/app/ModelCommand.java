package dev.ser.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.cli.Cli;
import dev.ser.cli.KafkaOptions;
import dev.ser.cli.ModelUpdateOptions;
import dev.ser.cli.ModelUpdatePublisher;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import dev.ser.schemas.WireFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser model}: publish a model update on the control topic (issue 16), make the Ed25519 key
 * pair that signs updates, and show what each TaskManager of the running jobs did with them (the
 * status topic).
 */
@Command(name = "ser model", sortOptions = false,
    subcommands = {ModelCommand.Keygen.class, ModelCommand.Publish.class, ModelCommand.Status.class},
    description = "Model updates without a restart: 'keygen' makes the key pair that signs updates, 'publish' asks"
        + " running jobs to score with another model (a ModelUpdate on the control topic), 'status' shows the model"
        + " each TaskManager scores with and what it did with the last update (the status topic).")
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
    @CommandLine.Mixin KafkaOptions kafka;
    @CommandLine.Mixin ModelUpdateOptions update;
    @Option(names = "--model", required = true, paramLabel = "FILE.onnx",
        description = "the model; unless --url is given, this absolute path must be where every TaskManager sees it")
    Path model;
    @Option(names = "--url", paramLabel = "https://...", description = "where TaskManagers download it instead")
    String url;
    @Option(names = "--issued-by", description = "who publishes (default: the user name)")
    String issuedBy;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelUpdate u = ModelUpdatePublisher.update(model, url, update.band, issuedBy, update.signingKey);
      RecordMetadata written = ModelUpdatePublisher.publish(kafka.clientProperties(), update.topic, u);
      PrintWriter out = spec.commandLine().getOut();
      String json = new ObjectMapper().writeValueAsString(ModelUpdatePublisher.describe(written, u));
      out.println(json);
      out.flush();
      return 0;
    }
  }

  @Command(name = "status", sortOptions = false, description = "Reads the status topic (model-status-topic of the"
      + " jobs) from its start and prints, per job and TaskManager, its latest record as one JSON line: the model it"
      + " scores with and what it did with the last update (ACTIVE, REFUSED with the check and reason, SUPERSEDED).")
  static final class Status implements Callable<Integer> {
    @CommandLine.Mixin KafkaOptions kafka;
    @Option(names = "--topic", defaultValue = "model-status", description = "the status topic (default: ${DEFAULT-VALUE})")
    String topic;
    @Option(names = "--job", paramLabel = "GROUP-ID", description = "only this job (its group-id)")
    String job;
    @Option(names = "--timeout-ms", defaultValue = "30000", description = "how long to wait for the broker (default:"
        + " ${DEFAULT-VALUE})") long timeoutMs;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Map<String, Object> props = kafka.clientProperties();
      props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(org.apache.kafka.clients.consumer.ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
      Map<String, dev.ser.schemas.ModelStatus> latest = new java.util.TreeMap<>();
      var decoder = WireFormat.decoder(dev.ser.schemas.ModelStatus.class);
      int undecodable = 0;
      try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props,
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        var partitions = consumer.partitionsFor(topic, java.time.Duration.ofMillis(timeoutMs)).stream()
            .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
          throw new IllegalArgumentException("no topic " + topic + " (model-status-topic of the job)");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("the status topic " + topic + " was not read to its end within "
                + timeoutMs + " ms");
          }
          for (var r : consumer.poll(java.time.Duration.ofMillis(200))) {
            if (r.value() == null) {
              continue;
            }
            try {
              dev.ser.schemas.ModelStatus s = decoder.decode(r.value());
              latest.put(s.getJob() + "/" + s.getTaskManager(), s);
            } catch (java.io.IOException | RuntimeException e) {
              undecodable++;
            }
          }
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      ObjectMapper json = new ObjectMapper();
      int shown = 0;
      for (dev.ser.schemas.ModelStatus s : latest.values()) {
        if (job != null && !job.equals(s.getJob())) {
          continue;
        }
        ObjectNode line = json.createObjectNode().put("job", s.getJob()).put("taskManager", s.getTaskManager())
            .put("activeModel", s.getActiveModelName()).put("activeVersion", s.getActiveModelVersion())
            .put("lastUpdate", s.getModelName() + " " + s.getModelVersion()).put("outcome", s.getOutcome().name())
            .put("check", s.getCheck()).put("reason", s.getReason()).put("at", s.getAt().toString());
        out.println(line.toString());
        shown++;
      }
      if (shown == 0) {
        spec.commandLine().getErr().println("no status records" + (job == null ? "" : " of job " + job) + " on " + topic
            + " (is model-status-topic set on the job?)");
      }
      if (undecodable > 0) {
        spec.commandLine().getErr().println(undecodable + " records on " + topic + " are no ModelStatus and were skipped");
      }
      out.flush();
      return 0;
    }
  }
}
