package dev.ser.stream.kafka;

import dev.ser.stream.chunk.ChunkOrDeadLetter;
import dev.ser.stream.chunk.ChunkValidator;
import dev.ser.stream.chunk.TraceParent;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reads the input topic: every record becomes a chunk or a dead letter, never an exception. */
@Internal
public final class AudioChunkDeserializer implements KafkaRecordDeserializationSchema<ChunkOrDeadLetter> {

  private static final long serialVersionUID = 1L;
  private final ChunkValidator validator;

  public AudioChunkDeserializer(int maxChunkBytes, long maxCaptureAheadMs) {
    this.validator = new ChunkValidator(maxChunkBytes, maxCaptureAheadMs);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ChunkOrDeadLetter> out) {
    ChunkOrDeadLetter r = validator.validate(record.key(), record.value(), record.topic(), record.partition(),
        record.offset(), record.timestamp(), System.currentTimeMillis());
    if (r.chunk != null) {
      Header trace = record.headers().lastHeader(TraceParent.HEADER);
      r.chunk.traceparent = trace == null ? null : TraceParent.parse(trace.value());
    }
    out.collect(r);
  }

  @Override
  public TypeInformation<ChunkOrDeadLetter> getProducedType() {
    return TypeInformation.of(ChunkOrDeadLetter.class);
  }
}
