package dev.ser.stream.kafka;

import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelStatus;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateOutcome;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.model.ModelSwitchboard;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what a TaskManager did with each model update to the status topic ({@link ModelStatus},
 * keyed by job and TaskManager), and, when it starts, the model it scores with. A plain producer
 * outside Flink's checkpoints (at least once, written as soon as the outcome is known, even when no
 * audio flows): a status describes a TaskManager, not the data.
 */
@Internal
public final class ModelStatusWriter implements ModelSwitchboard.StatusListener {

  private static final Logger LOG = LoggerFactory.getLogger(ModelStatusWriter.class);

  /** What the job graph carries to the TaskManagers. */
  public record Factory(String topic, Properties kafka, String job, String modelPath, String modelName,
      String modelVersion, String modelSha256) implements ModelSwitchboard.StatusListener.Factory {
    @Override
    public ModelSwitchboard.StatusListener create() {
      return new ModelStatusWriter(this, taskManagerName());
    }
  }

  private final Factory f;
  private final String taskManager;
  private final KafkaProducer<byte[], byte[]> producer;

  ModelStatusWriter(Factory f, String taskManager) {
    this.f = f;
    this.taskManager = taskManager;
    Properties props = new Properties();
    props.putAll(f.kafka());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    // a status that cannot be sent is logged and dropped; it must never hold a task (open() sends the first one)
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    ModelUpdate first = ModelUpdate.newBuilder().setModelName(f.modelName()).setModelVersion(f.modelVersion())
        .setLocation(f.modelPath()).setSha256(f.modelSha256()).setBand(ModelBand.ALL).setIssuedAt(Instant.now())
        .setIssuedBy("the job's model file").build();
    send(record(f, taskManager, new ModelSwitchboard.Status(first, true, null, "the TaskManager started with it"),
        null, Instant.now()));
  }

  /** The status record of {@code s}; {@code active} null: the job's model file is active. */
  static ModelStatus record(Factory f, String taskManager, ModelSwitchboard.Status s, ModelUpdate active, Instant now) {
    ModelUpdateOutcome outcome = s.accepted() ? ModelUpdateOutcome.ACTIVE
        : s.refusedBy() != null ? ModelUpdateOutcome.REFUSED : ModelUpdateOutcome.SUPERSEDED;
    ModelUpdate u = s.update();
    return ModelStatus.newBuilder().setJob(f.job()).setTaskManager(taskManager).setModelName(u.getModelName())
        .setModelVersion(u.getModelVersion()).setSha256(u.getSha256()).setBand(u.getBand()).setOutcome(outcome)
        .setCheck(s.refusedBy() == null ? null : s.refusedBy().name()).setReason(s.reason())
        .setActiveModelName(active == null ? f.modelName() : active.getModelName())
        .setActiveModelVersion(active == null ? f.modelVersion() : active.getModelVersion()).setAt(now).build();
  }

  @Override
  public void onStatus(ModelSwitchboard.Status status, ModelUpdate active) {
    send(record(f, taskManager, status, active, Instant.now()));
  }

  private void send(ModelStatus s) {
    byte[] key = (s.getJob() + "/" + s.getTaskManager()).getBytes(StandardCharsets.UTF_8);
    producer.send(new ProducerRecord<>(f.topic(), key, WireFormat.encode(s)), (written, error) -> {
      if (error != null) {
        LOG.warn("could not write the model status ({} {} {}) to {}: {}", s.getOutcome(), s.getModelName(),
            s.getModelVersion(), f.topic(), error.toString());
      }
    });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }

  /** The TaskManager process: host name and process id. */
  static String taskManagerName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "unknown-host";
    }
    return host + "/" + ProcessHandle.current().pid();
  }
}
