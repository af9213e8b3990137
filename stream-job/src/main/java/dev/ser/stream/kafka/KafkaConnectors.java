package dev.ser.stream.kafka;

import dev.ser.core.scoring.ModelMetadata;
import dev.ser.stream.StreamJobConfig;
import dev.ser.stream.StreamJobOptions;
import dev.ser.stream.call.CallRecord;
import dev.ser.stream.chunk.ChunkOrDeadLetter;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.stream.chunk.DeadLetterValue;
import dev.ser.stream.model.ModelUpdateOrDeadLetter;
import dev.ser.stream.scoring.EventRecord;
import java.util.Properties;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's Kafka source and sinks, built from its settings: audio chunks in (read_committed, each
 * record a chunk or a dead letter), emotion events and dead letters out, transactional under
 * exactly-once.
 */
@Internal
public final class KafkaConnectors {

  private KafkaConnectors() {}

  /** The audio-chunk source. */
  public static KafkaSource<ChunkOrDeadLetter> chunkSource(StreamJobConfig config) {
    Properties props = config.kafkaProperties();
    props.putIfAbsent("isolation.level", "read_committed");
    props.putIfAbsent("partition.discovery.interval.ms", "60000");
    OffsetsInitializer start = switch (config.get(StreamJobOptions.STARTING_OFFSETS)) {
      case "earliest" -> OffsetsInitializer.earliest();
      case "latest" -> OffsetsInitializer.latest();
      default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    };
    return KafkaSource.<ChunkOrDeadLetter>builder()
        .setBootstrapServers(config.get(StreamJobOptions.BOOTSTRAP_SERVERS))
        .setTopics(config.get(StreamJobOptions.INPUT_TOPIC))
        .setGroupId(config.get(StreamJobOptions.GROUP_ID))
        .setStartingOffsets(start)
        .setProperties(props)
        .setDeserializer(new AudioChunkDeserializer(config.get(StreamJobOptions.MAX_CHUNK_BYTES),
            config.get(StreamJobOptions.MAX_CAPTURE_AHEAD_MS), config.schemaRegistry()))
        .build();
  }

  /**
   * The model-update source: the control topic from its start (it is compacted: the latest update is
   * what counts), or from the checkpoint's offsets on a restore.
   */
  public static KafkaSource<ModelUpdateOrDeadLetter> modelUpdateSource(StreamJobConfig config) {
    Properties props = config.kafkaProperties();
    props.putIfAbsent("isolation.level", "read_committed");
    props.putIfAbsent("partition.discovery.interval.ms", "60000");
    return KafkaSource.<ModelUpdateOrDeadLetter>builder()
        .setBootstrapServers(config.get(StreamJobOptions.BOOTSTRAP_SERVERS))
        .setTopics(config.get(StreamJobOptions.MODEL_UPDATE_TOPIC))
        .setGroupId(config.get(StreamJobOptions.GROUP_ID))
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setProperties(props)
        .setDeserializer(new ModelUpdateDeserializer())
        .build();
  }

  /** Where TaskManagers write the outcome of model updates; null when no status topic is set. */
  public static ModelStatusWriter.Factory modelStatusWriter(StreamJobConfig config, String modelPath,
      ModelMetadata model, String modelSha256) {
    String topic = config.get(StreamJobOptions.MODEL_STATUS_TOPIC);
    if (topic.isEmpty()) {
      return null;
    }
    Properties props = config.kafkaProperties();
    props.setProperty("bootstrap.servers", config.get(StreamJobOptions.BOOTSTRAP_SERVERS));
    return new ModelStatusWriter.Factory(topic, props, config.get(StreamJobOptions.GROUP_ID), modelPath, model.name(),
        model.version(), modelSha256);
  }

  /** The emotion-event sink. */
  public static KafkaSink<EventRecord> eventSink(StreamJobConfig config) {
    return sink(config, "events", KafkaSerializers.events(config.get(StreamJobOptions.OUTPUT_TOPIC), config.outputFraming()));
  }

  /** The call stage's alerts sink. */
  public static KafkaSink<CallRecord> alertSink(StreamJobConfig config) {
    return sink(config, "alerts", KafkaSerializers.calls(config.get(StreamJobOptions.ALERT_TOPIC), config.outputFraming()));
  }

  /** The call stage's summaries sink. */
  public static KafkaSink<CallRecord> summarySink(StreamJobConfig config) {
    return sink(config, "summaries", KafkaSerializers.calls(config.get(StreamJobOptions.SUMMARY_TOPIC), config.outputFraming()));
  }

  /** The dead-letter sink. */
  public static KafkaSink<DeadLetterRecord> deadLetterSink(StreamJobConfig config) {
    return sink(config, "dead-letters", KafkaSerializers.deadLetters(config.get(StreamJobOptions.DEAD_LETTER_TOPIC),
        DeadLetterValue.parse(config.get(StreamJobOptions.DEAD_LETTER_VALUE)), config.outputFraming()));
  }

  private static <T> KafkaSink<T> sink(StreamJobConfig config, String name, KafkaRecordSerializationSchema<T> serializer) {
    Properties props = config.kafkaProperties();
    props.setProperty("transaction.timeout.ms", String.valueOf(config.get(StreamJobOptions.TRANSACTION_TIMEOUT_MS)));
    var builder = KafkaSink.<T>builder()
        .setBootstrapServers(config.get(StreamJobOptions.BOOTSTRAP_SERVERS))
        .setKafkaProducerConfig(props)
        .setRecordSerializer(serializer);
    if (config.exactlyOnce()) {
      builder.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
          .setTransactionalIdPrefix(config.get(StreamJobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name);
    } else {
      builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
    }
    return builder.build();
  }
}
