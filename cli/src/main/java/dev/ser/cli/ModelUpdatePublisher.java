package dev.ser.cli;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import dev.ser.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link ModelUpdate} for a model file and its publication on the control topic, keyed by band
 * (the compacted topic keeps the latest per band): what {@code ser model publish} and
 * {@code ser refresh} do the same way.
 */
public final class ModelUpdatePublisher {

  private ModelUpdatePublisher() {}

  /**
   * The update for {@code model}: name and version from its metadata (a file that is no emotion
   * model is refused here, before anything is published), its SHA-256, where TaskManagers find it
   * ({@code url}, else the file's absolute path), signed when {@code signingKey} is given.
   */
  public static ModelUpdate update(Path model, String url, ModelBand band, String issuedBy, Path signingKey)
      throws Exception {
    if (band == ModelBand.UNKNOWN) {
      throw new IllegalArgumentException("--band must be ALL, NARROWBAND or WIDEBAND");
    }
    if (url != null && !url.startsWith("https://")) {
      throw new IllegalArgumentException("--url must be an https URL, got " + url);
    }
    ModelMetadata m;
    try (EmotionScorer scorer = EmotionScorer.open(model)) {
      m = scorer.metadata();
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

  /** Writes {@code u} to {@code topic} (acks from all replicas, idempotent); returns where it landed. */
  public static RecordMetadata publish(Map<String, Object> clientProperties, String topic, ModelUpdate u)
      throws Exception {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      return producer.send(new ProducerRecord<>(topic, u.getBand().name().getBytes(StandardCharsets.UTF_8),
          WireFormat.encode(u))).get();
    }
  }

  /** What was published, as the commands print it (one JSON object, keys in this order). */
  public static Map<String, Object> describe(RecordMetadata written, ModelUpdate u) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("topic", written.topic());
    d.put("partition", written.partition());
    d.put("offset", written.offset());
    d.put("model", u.getModelName());
    d.put("version", u.getModelVersion());
    d.put("location", u.getLocation());
    d.put("sha256", u.getSha256());
    d.put("band", u.getBand().name());
    d.put("issuedBy", u.getIssuedBy());
    d.put("signature", u.getSignature() == null ? null : HexFormat.of().formatHex(u.getSignature().array()));
    return d;
  }
}
