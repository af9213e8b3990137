package dev.ser.stream.model;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.chunk.DeadLetterRecord;
import java.io.IOException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;

/**
 * A record of the control topic: a model update (re-encoded with the current schema, so state and
 * restores hold one version), or the dead letter saying why the record is none. A Flink POJO.
 */
public class ModelUpdateOrDeadLetter {

  /** The update, single-object encoded with the current {@link ModelUpdate} schema; null for a dead letter. */
  public byte[] update;
  public DeadLetterRecord deadLetter;

  public ModelUpdateOrDeadLetter() {}

  /** Decodes a control-topic record; never throws. */
  public static ModelUpdateOrDeadLetter decode(BinaryMessageDecoder<ModelUpdate> decoder, byte[] key, byte[] value,
      String topic, int partition, long offset, long now) {
    ModelUpdateOrDeadLetter r = new ModelUpdateOrDeadLetter();
    if (value == null) {
      r.deadLetter = DeadLetterRecord.of(key, null, topic, partition, offset, DeadLetterKind.BAD_AVRO,
          "a model update with no value (a tombstone): the job keeps its model; publish the model to use instead", now);
      return r;
    }
    try {
      WireFormat.checkDeclaredLengths(value);
      r.update = WireFormat.encode(decoder.decode(value));
    } catch (BadHeaderException e) {
      r.deadLetter = DeadLetterRecord.of(key, value, topic, partition, offset, DeadLetterKind.BAD_AVRO,
          "not an Avro single-object-encoded ModelUpdate: " + e.getMessage(), now);
    } catch (MissingSchemaException e) {
      r.deadLetter = DeadLetterRecord.of(key, value, topic, partition, offset, DeadLetterKind.UNKNOWN_SCHEMA,
          "a ModelUpdate written with a schema this job does not know: the header is " + WireFormat.hex(value, 10)
              + " (schemas/README.md lists the released ones)", now);
    } catch (IOException | RuntimeException e) {
      r.deadLetter = DeadLetterRecord.of(key, value, topic, partition, offset, DeadLetterKind.BAD_AVRO,
          "the ModelUpdate cannot be decoded (truncated or corrupt): " + e.getMessage(), now);
    }
    return r;
  }

  /** The update this record holds (decoded again: updates are rare). */
  public static ModelUpdate read(byte[] encoded) {
    try {
      return WireFormat.decoder(ModelUpdate.class).decode(encoded);
    } catch (IOException e) {
      throw new IllegalStateException("an update this job encoded itself cannot be decoded", e);
    }
  }
}
