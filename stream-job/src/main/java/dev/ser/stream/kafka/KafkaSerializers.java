package dev.ser.stream.kafka;

import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.call.CallRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.stream.chunk.DeadLetterValue;
import dev.ser.stream.chunk.TraceParent;
import dev.ser.stream.scoring.EventRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How events and dead letters are written to Kafka. Every record carries the header
 * {@code content-type} ({@link WireFormat#contentType}: the released schema and its header bytes);
 * events also {@code ser-model} (the model's name/version) and, when the chunk that ended the
 * utterance had a valid one, its W3C {@code traceparent}; so consumers can route, filter and trace
 * without decoding.
 */
@Internal
public final class KafkaSerializers {

  public static final String CONTENT_TYPE = "content-type";
  public static final String MODEL = "ser-model";
  private static final byte[] EVENT_TYPE = WireFormat.contentType(EmotionEvent.getClassSchema())
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] DEAD_LETTER_TYPE = WireFormat.contentType(DeadLetter.getClassSchema())
      .getBytes(StandardCharsets.UTF_8);

  private KafkaSerializers() {}

  /** Events keyed by utterance id (UTF-8), so consumers can de-duplicate. */
  public static KafkaRecordSerializationSchema<EventRecord> events(String topic) {
    return new Events(topic);
  }

  /** Dead letters keyed by the refused record's own key, with as much of its value as {@code keep} allows. */
  public static KafkaRecordSerializationSchema<DeadLetterRecord> deadLetters(String topic, DeadLetterValue keep) {
    return new DeadLetters(topic, keep);
  }

  /** Alerts or summaries of the call stage, keyed by their id, with their own content type. */
  public static KafkaRecordSerializationSchema<CallRecord> calls(String topic) {
    return new Calls(topic);
  }

  private record Calls(String topic) implements KafkaRecordSerializationSchema<CallRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(CallRecord r, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, timestamp, r.key.getBytes(StandardCharsets.UTF_8), r.value,
          new RecordHeaders().add(CONTENT_TYPE, r.contentType.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private record Events(String topic) implements KafkaRecordSerializationSchema<EventRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(EventRecord e, KafkaSinkContext context, Long timestamp) {
      Headers headers = new RecordHeaders().add(CONTENT_TYPE, EVENT_TYPE)
          .add(MODEL, e.model.getBytes(StandardCharsets.UTF_8));
      if (e.traceparent != null) {
        headers.add(TraceParent.HEADER, e.traceparent.getBytes(StandardCharsets.US_ASCII));
      }
      return new ProducerRecord<>(topic, null, timestamp, e.key.getBytes(StandardCharsets.UTF_8), e.value, headers);
    }
  }

  private record DeadLetters(String topic, DeadLetterValue keep)
      implements KafkaRecordSerializationSchema<DeadLetterRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetterRecord d, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, timestamp, d.key, WireFormat.encode(keep.apply(d).toAvro()),
          new RecordHeaders().add(CONTENT_TYPE, DEAD_LETTER_TYPE));
    }
  }
}
