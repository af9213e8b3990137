package dev.ser.stream.kafka;

import dev.ser.schemas.WireFormat;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.stream.chunk.DeadLetterValue;
import dev.ser.stream.scoring.EventRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** How events and dead letters are written to Kafka. */
@Internal
public final class KafkaSerializers {

  private KafkaSerializers() {}

  /** Events keyed by utterance id (UTF-8), so consumers can de-duplicate. */
  public static KafkaRecordSerializationSchema<EventRecord> events(String topic) {
    return new Events(topic);
  }

  /** Dead letters keyed by the refused record's own key, with as much of its value as {@code keep} allows. */
  public static KafkaRecordSerializationSchema<DeadLetterRecord> deadLetters(String topic, DeadLetterValue keep) {
    return new DeadLetters(topic, keep);
  }

  private record Events(String topic) implements KafkaRecordSerializationSchema<EventRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(EventRecord e, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, timestamp, e.key.getBytes(StandardCharsets.UTF_8), e.value);
    }
  }

  private record DeadLetters(String topic, DeadLetterValue keep)
      implements KafkaRecordSerializationSchema<DeadLetterRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetterRecord d, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, timestamp, d.key, WireFormat.encode(keep.apply(d).toAvro()));
    }
  }
}
