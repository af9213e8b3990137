package dev.ser.stream.kafka;

import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.call.CallRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.stream.chunk.DeadLetterValue;
import dev.ser.stream.chunk.TraceParent;
import dev.ser.stream.scoring.EventRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How events, alerts, summaries and dead letters are written to Kafka. Every record carries the
 * header {@code content-type} ({@link WireFormat#contentType}: the released schema and its header
 * bytes); events also {@code ser-model} (the model's name/version) and, when the chunk that ended
 * the utterance had a valid one, its W3C {@code traceparent}; so consumers can route, filter and
 * trace without decoding.
 *
 * <p>With a {@link RegistryFraming} (schema-registry mode) values are written in the registry's
 * framing instead and {@code content-type} says {@code encoding=confluent} and the registry id. A
 * registry that cannot be reached fails the task (it restarts from its checkpoint; nothing is lost).
 */
@Internal
public final class KafkaSerializers {

  public static final String CONTENT_TYPE = "content-type";
  public static final String MODEL = "ser-model";
  private static final String EVENT_TYPE = WireFormat.contentType(EmotionEvent.getClassSchema());
  private static final String DEAD_LETTER_TYPE = WireFormat.contentType(DeadLetter.getClassSchema());

  private KafkaSerializers() {}

  /** Events keyed by utterance id (UTF-8), so consumers can de-duplicate; {@code registry} null: single-object encoding. */
  public static KafkaRecordSerializationSchema<EventRecord> events(String topic, RegistryFraming registry) {
    return new Events(topic, registry);
  }

  /** Dead letters keyed by the refused record's own key, with as much of its value as {@code keep} allows. */
  public static KafkaRecordSerializationSchema<DeadLetterRecord> deadLetters(String topic, DeadLetterValue keep,
      RegistryFraming registry) {
    return new DeadLetters(topic, keep, registry);
  }

  /** Alerts or summaries of the call stage, keyed by their id, with their own content type. */
  public static KafkaRecordSerializationSchema<CallRecord> calls(String topic, RegistryFraming registry) {
    return new Calls(topic, registry);
  }

  /** A value as written, with its headers so far. */
  private record Framed(byte[] value, Headers headers) {}

  /** The value and content type as written: as given, or in the registry's framing. */
  private static Framed frame(String topic, byte[] singleObject, String contentType, RegistryFraming registry) {
    if (registry == null) {
      return new Framed(singleObject, new RecordHeaders().add(CONTENT_TYPE, contentType.getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return new Framed(registry.frame(topic, singleObject), new RecordHeaders().add(CONTENT_TYPE,
          registry.contentType(topic, singleObject).getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + topic + " in schema-registry mode: " + e.getMessage(), e);
    }
  }

  private record Calls(String topic, RegistryFraming registry) implements KafkaRecordSerializationSchema<CallRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(CallRecord r, KafkaSinkContext context, Long timestamp) {
      Framed f = frame(topic, r.value, r.contentType, registry);
      return new ProducerRecord<>(topic, null, timestamp, r.key.getBytes(StandardCharsets.UTF_8), f.value, f.headers);
    }
  }

  private record Events(String topic, RegistryFraming registry) implements KafkaRecordSerializationSchema<EventRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(EventRecord e, KafkaSinkContext context, Long timestamp) {
      Framed f = frame(topic, e.value, EVENT_TYPE, registry);
      Headers headers = f.headers.add(MODEL, e.model.getBytes(StandardCharsets.UTF_8));
      if (e.traceparent != null) {
        headers.add(TraceParent.HEADER, e.traceparent.getBytes(StandardCharsets.US_ASCII));
      }
      return new ProducerRecord<>(topic, null, timestamp, e.key.getBytes(StandardCharsets.UTF_8), f.value, headers);
    }
  }

  private record DeadLetters(String topic, DeadLetterValue keep, RegistryFraming registry)
      implements KafkaRecordSerializationSchema<DeadLetterRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetterRecord d, KafkaSinkContext context, Long timestamp) {
      Framed f = frame(topic, WireFormat.encode(keep.apply(d).toAvro()), DEAD_LETTER_TYPE, registry);
      return new ProducerRecord<>(topic, null, timestamp, d.key, f.value, f.headers);
    }
  }
}
