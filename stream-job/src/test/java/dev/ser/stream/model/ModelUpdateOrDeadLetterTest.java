package dev.ser.stream.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every control-topic record becomes an update or a dead letter with the reason. */
class ModelUpdateOrDeadLetterTest {

  static final ModelUpdate UPDATE = ModelUpdate.newBuilder().setModelName("ms-senet-emodb").setModelVersion("2")
      .setLocation("/models/m.onnx").setSha256("ab".repeat(32)).setBand(ModelBand.ALL)
      .setIssuedAt(Instant.parse("2026-11-30T12:00:00Z")).setIssuedBy("ops").build();
  static final byte[] KEY = "ALL".getBytes(StandardCharsets.UTF_8);

  static ModelUpdateOrDeadLetter decode(byte[] value) {
    return ModelUpdateOrDeadLetter.decode(WireFormat.decoder(ModelUpdate.class), KEY, value, "model-updates", 0, 7, 1_000);
  }

  @Test
  void anUpdateIsKeptEncodedAndReadsBackEqual() {
    ModelUpdateOrDeadLetter r = decode(WireFormat.encode(UPDATE));
    assertThat(r.deadLetter).isNull();
    assertThat(ModelUpdateOrDeadLetter.read(r.update)).isEqualTo(UPDATE);
  }

  @Test
  void recordsThatAreNoUpdateAreDeadLettersNamingWhy() {
    ModelUpdateOrDeadLetter text = decode("{\"model\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(text.update).isNull();
    assertThat(text.deadLetter.kind).isEqualTo(DeadLetterKind.BAD_AVRO);
    assertThat(text.deadLetter.message).startsWith("not an Avro single-object-encoded ModelUpdate: ");
    assertThat(text.deadLetter.sourceTopic).isEqualTo("model-updates");
    assertThat(text.deadLetter.sourceOffset).isEqualTo(7);
    assertThat(text.deadLetter.timestamp).isEqualTo(1_000);

    byte[] other = WireFormat.encode(UPDATE);
    other[9] ^= 0x55; // another fingerprint
    ModelUpdateOrDeadLetter unknown = decode(other);
    assertThat(unknown.deadLetter.kind).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
    assertThat(unknown.deadLetter.message).isEqualTo("a ModelUpdate written with a schema this job does not know: the"
        + " header is " + WireFormat.hex(other, 10) + " (schemas/README.md lists the released ones)");

    byte[] whole = WireFormat.encode(UPDATE);
    ModelUpdateOrDeadLetter cut = decode(Arrays.copyOf(whole, whole.length - 20));
    assertThat(cut.deadLetter.kind).isEqualTo(DeadLetterKind.BAD_AVRO);
    assertThat(cut.deadLetter.message).startsWith("the ModelUpdate cannot be decoded (truncated or corrupt): ");

    ModelUpdateOrDeadLetter tombstone = decode(null);
    assertThat(tombstone.deadLetter.kind).isEqualTo(DeadLetterKind.BAD_AVRO);
    assertThat(tombstone.deadLetter.message).isEqualTo("a model update with no value (a tombstone): the job keeps its"
        + " model; publish the model to use instead");
    assertThat(tombstone.deadLetter.key).isEqualTo(KEY);
  }
}
