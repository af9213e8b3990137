package dev.ser.stream.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ChannelStateSerializerTest {

  static ChannelState midStream() throws Exception {
    ChannelAssembler assembler = new ChannelAssembler(ChannelAssemblerTest.CONFIG);
    ChannelState s = new ChannelState("call-7", "agent");
    float[] speech = new float[22050 * 3];
    for (int i = 0; i < speech.length; i++) {
      speech[i] = (float) (0.3 * Math.sin(i * 0.07));
    }
    List<ChunkRecord> chunks = TestAudio.chunks("call-7", "agent", speech, 22050, 100, SampleEncoding.PCM_S16LE);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    for (ChunkRecord c : chunks.subList(0, 12)) {
      assembler.onChunk(s, c, 100, Long.MIN_VALUE, out);
    }
    chunks.get(14).sourceKey = new byte[] {1, 2, 3};
    assembler.onChunk(s, chunks.get(14), 100, Long.MIN_VALUE, out); // waits for 12 and 13
    s.timerAtMs = 2100;
    return s;
  }

  static byte[] bytes(ChannelState s) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    ChannelStateSerializer.INSTANCE.serialize(s, out);
    return out.getCopyOfBuffer();
  }

  @Test
  void roundTripKeepsEveryField() throws Exception {
    ChannelState s = midStream();
    assertThat(s.segmenter.inUtterance()).isTrue();
    ChannelState back = ChannelStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes(s)));
    assertThat(back).usingRecursiveComparison().ignoringFields("segmenter").isEqualTo(s);
    assertThat(back.pending.get(14L).sourceKey).containsExactly(1, 2, 3);
    // the segmenter's state is equal when it serialises to the same bytes
    assertThat(bytes(back)).isEqualTo(bytes(s));
    ChannelState copy = ChannelStateSerializer.INSTANCE.copy(s);
    assertThat(copy).isNotSameAs(s);
    assertThat(copy.pending).isNotSameAs(s.pending);
    assertThat(bytes(copy)).isEqualTo(bytes(s));
  }

  @Test
  void aClosedChannelRoundTripsToo() throws Exception {
    ChannelState s = new ChannelState("c", "0");
    s.closed = true;
    s.closedAtMs = 5;
    s.closedReason = "end of stream at sequence 3";
    s.nextSequence = 4;
    ChannelState back = ChannelStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes(s)));
    assertThat(back).usingRecursiveComparison().isEqualTo(s);
  }

  @Test
  void snapshotRestoresACompatibleSerializer() throws Exception {
    TypeSerializerSnapshot<ChannelState> snapshot = ChannelStateSerializer.INSTANCE.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    snapshot.writeSnapshot(out);
    TypeSerializerSnapshot<ChannelState> read = new ChannelStateSerializer.Snapshot();
    read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
        getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isEqualTo(ChannelStateSerializer.INSTANCE);
    TypeSerializerSchemaCompatibility<ChannelState> compatibility =
        new ChannelStateSerializer.Snapshot().resolveSchemaCompatibility(read);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
  }

  @Test
  void anUnknownLayoutVersionIsRefused() {
    assertThatThrownBy(() -> ChannelStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(new byte[] {7})))
        .isInstanceOf(IOException.class).hasMessageContaining("channel state version 7 is unknown");
  }
}
