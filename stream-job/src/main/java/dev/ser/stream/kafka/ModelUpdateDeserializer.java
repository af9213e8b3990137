package dev.ser.stream.kafka;

import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.model.ModelUpdateOrDeadLetter;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads the model-update control topic: every record becomes an update or a dead letter, never an exception. */
@Internal
public final class ModelUpdateDeserializer implements KafkaRecordDeserializationSchema<ModelUpdateOrDeadLetter> {

  private static final long serialVersionUID = 1L;
  private transient BinaryMessageDecoder<ModelUpdate> decoder;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdateOrDeadLetter> out) {
    if (decoder == null) {
      decoder = WireFormat.decoder(ModelUpdate.class);
    }
    out.collect(ModelUpdateOrDeadLetter.decode(decoder, record.key(), record.value(), record.topic(), record.partition(),
        record.offset(), System.currentTimeMillis()));
  }

  @Override
  public TypeInformation<ModelUpdateOrDeadLetter> getProducedType() {
    return TypeInformation.of(ModelUpdateOrDeadLetter.class);
  }
}
