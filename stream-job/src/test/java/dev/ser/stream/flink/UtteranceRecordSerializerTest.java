package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.ChunkRecord;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class UtteranceRecordSerializerTest {

  static UtteranceRecord utterance() {
    UtteranceRecord u = new UtteranceRecord();
    u.callId = "call-9";
    u.channel = "customer";
    u.index = 3;
    u.startTime = 1_700_000_001_000L;
    u.endTime = 1_700_000_003_000L;
    u.samples = new float[] {0.25f, -1f, 3.5e-7f};
    u.closedAtMs = 42;
    u.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    u.sampleRate = 8000;
    return u;
  }

  @Test
  void roundTripKeepsEveryField() throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    UtteranceRecordSerializer.INSTANCE.serialize(utterance(), out);
    assertThat(out.length()).isEqualTo(1 + 2 + 6 + 2 + 8 + 4 + 8 + 8 + 8 + 4 + 3 * 4 + 1 + 2 + 55 + 4);
    UtteranceRecord back = UtteranceRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back).usingRecursiveComparison().isEqualTo(utterance());
    UtteranceRecord copy = UtteranceRecordSerializer.INSTANCE.copy(utterance());
    assertThat(copy).usingRecursiveComparison().isEqualTo(utterance());
  }

  /**
   * Utterances in flight in a checkpoint written before the traceparent (layout 1) or before the
   * sample rate (layout 2) still restore; without a rate they are at the job's first model's (0).
   */
  @Test
  void layoutsOneAndTwoAreRead() throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    UtteranceRecordSerializer.INSTANCE.serialize(utterance(), out);
    byte[] v3 = out.getCopyOfBuffer();
    byte[] v2 = java.util.Arrays.copyOf(v3, v3.length - 4);
    v2[0] = 2;
    UtteranceRecord expected = utterance();
    expected.sampleRate = 0;
    assertThat(UtteranceRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(v2)))
        .usingRecursiveComparison().isEqualTo(expected);
    byte[] v1 = java.util.Arrays.copyOf(v3, v3.length - (1 + 2 + 55) - 4);
    v1[0] = 1;
    expected.traceparent = null;
    assertThat(UtteranceRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(v1)))
        .usingRecursiveComparison().isEqualTo(expected);
  }

  @Test
  void anUnknownVersionIsRefused() {
    assertThatThrownBy(() -> UtteranceRecordSerializer.INSTANCE.deserialize(new DataInputDeserializer(new byte[] {9})))
        .isInstanceOf(IOException.class).hasMessageContaining("utterance record version 9 is unknown");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes", "deprecation"})
  void thePojoStateOfTheBuildBeforeThePackageSplitMigratesAndOtherPojosAreRefused() {
    var current = new UtteranceRecordSerializer.Snapshot();
    assertThat(current.resolveSchemaCompatibility(new UtteranceRecordSerializer.Snapshot()).isCompatibleAsIs())
        .isTrue();
    TypeSerializerSnapshot legacy = TypeInformation.of(dev.ser.stream.internal.UtteranceRecord.class)
        .createSerializer(new SerializerConfigImpl()).snapshotConfiguration();
    assertThat(current.resolveSchemaCompatibility(legacy).isCompatibleAfterMigration()).isTrue();
    TypeSerializerSnapshot other = TypeInformation.of(ChunkRecord.class).createSerializer(new SerializerConfigImpl())
        .snapshotConfiguration();
    assertThat(current.resolveSchemaCompatibility(other).isIncompatible()).isTrue();
  }
}
