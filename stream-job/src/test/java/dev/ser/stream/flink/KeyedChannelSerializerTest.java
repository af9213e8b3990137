package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.assembly.ChannelAssembler;
import dev.ser.stream.assembly.ChannelAssemblerTest;
import dev.ser.stream.assembly.ChannelState;
import dev.ser.stream.chunk.ChunkRecord;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class KeyedChannelSerializerTest {

  static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  static KeyedChannel midStream() throws Exception {
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
    chunks.get(14).traceparent = TRACE;
    assembler.onChunk(s, chunks.get(14), 100, Long.MIN_VALUE, out); // waits for 12 and 13
    KeyedChannel k = new KeyedChannel(s);
    k.timerAtMs = 2100;
    return k;
  }

  static byte[] bytes(KeyedChannel s) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    KeyedChannelSerializer.INSTANCE.serialize(s, out);
    return out.getCopyOfBuffer();
  }

  @Test
  void roundTripKeepsEveryField() throws Exception {
    KeyedChannel s = midStream();
    assertThat(s.channel.segmenter.inUtterance()).isTrue();
    KeyedChannel back = KeyedChannelSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes(s)));
    assertThat(back).usingRecursiveComparison().ignoringFields("channel.segmenter").isEqualTo(s);
    assertThat(back.timerAtMs).isEqualTo(2100);
    assertThat(back.channel.pending.get(14L).sourceKey).containsExactly(1, 2, 3);
    assertThat(back.channel.pending.get(14L).traceparent).isEqualTo(TRACE);
    // the segmenter's state is equal when it serialises to the same bytes
    assertThat(bytes(back)).isEqualTo(bytes(s));
    KeyedChannel copy = KeyedChannelSerializer.INSTANCE.copy(s);
    assertThat(copy).isNotSameAs(s);
    assertThat(copy.channel.pending).isNotSameAs(s.channel.pending);
    assertThat(bytes(copy)).isEqualTo(bytes(s));
  }

  @Test
  void aClosedChannelRoundTripsToo() throws Exception {
    ChannelState c = new ChannelState("c", "0");
    c.closed = true;
    c.closedAtMs = 5;
    c.closedReason = "end of stream at sequence 3";
    c.nextSequence = 4;
    c.traceparent = TRACE;
    KeyedChannel s = new KeyedChannel(c);
    KeyedChannel back = KeyedChannelSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes(s)));
    assertThat(back).usingRecursiveComparison().isEqualTo(s);
  }

  @Test
  void snapshotRestoresACompatibleSerializer() throws Exception {
    TypeSerializerSnapshot<KeyedChannel> snapshot = KeyedChannelSerializer.INSTANCE.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(64);
    snapshot.writeSnapshot(out);
    TypeSerializerSnapshot<KeyedChannel> read = new KeyedChannelSerializer.Snapshot();
    read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
        getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isEqualTo(KeyedChannelSerializer.INSTANCE);
    TypeSerializerSchemaCompatibility<KeyedChannel> compatibility =
        new KeyedChannelSerializer.Snapshot().resolveSchemaCompatibility(read);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
  }

  @Test
  void theSnapshotNameOfTheBuildBeforeThePackageSplitIsCompatibleAsIs() throws Exception {
    // what Flink does with a savepoint of that build: instantiate the recorded snapshot class by name
    @SuppressWarnings("unchecked")
    TypeSerializerSnapshot<KeyedChannel> old = (TypeSerializerSnapshot<KeyedChannel>) Class.forName(
        "dev.ser.stream.internal.ChannelStateSerializer$Snapshot").getConstructor().newInstance();
    assertThat(old.restoreSerializer()).isEqualTo(KeyedChannelSerializer.INSTANCE);
    assertThat(new KeyedChannelSerializer.Snapshot().resolveSchemaCompatibility(old).isCompatibleAsIs()).isTrue();
  }

  @Test
  void anUnknownLayoutVersionIsRefused() {
    assertThatThrownBy(() -> KeyedChannelSerializer.INSTANCE.deserialize(new DataInputDeserializer(new byte[] {7})))
        .isInstanceOf(IOException.class).hasMessageContaining("channel state version 7 is unknown");
  }
}
