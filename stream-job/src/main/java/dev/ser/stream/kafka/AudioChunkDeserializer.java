package dev.ser.stream.kafka;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.chunk.ChunkOrDeadLetter;
import dev.ser.stream.chunk.ChunkValidator;
import dev.ser.stream.chunk.TraceParent;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads the input topic: every record becomes a chunk or a dead letter, never an exception. Values
 * are single-object encoded, or Confluent-framed (a zero byte and a schema id) when the job has a
 * schema registry; a registry that cannot be reached is the one exception (the source restarts from
 * its checkpoint, so the record is read again rather than lost).
 */
@Internal
public final class AudioChunkDeserializer implements KafkaRecordDeserializationSchema<ChunkOrDeadLetter> {

  private static final long serialVersionUID = 1L;
  private final ChunkValidator validator;
  private final RegistryFraming registry;

  /** @param registry the schema registry Confluent-framed chunks are resolved through; null = none */
  public AudioChunkDeserializer(int maxChunkBytes, long maxCaptureAheadMs, RegistryFraming registry) {
    this.validator = new ChunkValidator(maxChunkBytes, maxCaptureAheadMs);
    this.registry = registry;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ChunkOrDeadLetter> out) {
    byte[] value = record.value();
    long now = System.currentTimeMillis();
    if (ConfluentFraming.isFramed(value)) {
      int id = ConfluentFraming.schemaId(value);
      if (registry == null) {
        out.collect(refuse(record, now, DeadLetterKind.UNKNOWN_SCHEMA, "Confluent-framed (schema registry id " + id
            + ", header " + WireFormat.hex(value, 5) + ") but this job has no schema-registry-url; set it, or write"
            + " single-object encoding (schemas/README.md)"));
        return;
      }
      try {
        value = registry.unframe(value, "AudioChunk");
      } catch (SchemaRegistryClient.UnknownSchemaIdException e) {
        out.collect(refuse(record, now, DeadLetterKind.UNKNOWN_SCHEMA, e.getMessage()));
        return;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot resolve schema id " + id + " of " + record.topic() + "/"
            + record.partition() + "@" + record.offset() + ": " + e.getMessage(), e);
      }
    }
    ChunkOrDeadLetter r = validator.validate(record.key(), value, record.topic(), record.partition(),
        record.offset(), record.timestamp(), now);
    if (r.deadLetter != null && r.deadLetter.value != null && value != record.value()) {
      r.deadLetter.value = record.value(); // the refused record as it was written, not our re-framing of it
    }
    if (r.chunk != null) {
      Header trace = record.headers().lastHeader(TraceParent.HEADER);
      r.chunk.traceparent = trace == null ? null : TraceParent.parse(trace.value());
    }
    out.collect(r);
  }

  private ChunkOrDeadLetter refuse(ConsumerRecord<byte[], byte[]> record, long now, DeadLetterKind kind, String why) {
    return validator.refuse(record.key(), record.value(), record.topic(), record.partition(), record.offset(),
        record.timestamp(), now, kind, why);
  }

  @Override
  public TypeInformation<ChunkOrDeadLetter> getProducedType() {
    return TypeInformation.of(ChunkOrDeadLetter.class);
  }
}
