package dev.ser.stream.flink;

import dev.ser.core.vad.UtteranceSegmenter;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.assembly.ChannelState;
import dev.ser.stream.chunk.ChunkRecord;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoint format of {@link KeyedChannel}: a channel's state with its timer. Versioned: the first
 * byte is the layout version, so a later layout can still read savepoints written by this one.
 * Layout 1 is the one of the build before the packages were split by role, when the timer was a
 * field of the channel state: same bytes, same place.
 */
@Internal
public final class KeyedChannelSerializer extends VersionedSerializer<KeyedChannel> {

  private static final long serialVersionUID = 1L;
  public static final KeyedChannelSerializer INSTANCE = new KeyedChannelSerializer();
  /** 2: the traceparent of the channel and of each waiting chunk, at the end of each. */
  private static final int VERSION = 2;

  @Override
  public KeyedChannel createInstance() {
    return new KeyedChannel(new ChannelState());
  }

  /** A deep copy (the heap backend copies state that changes during an asynchronous snapshot). */
  @Override
  public KeyedChannel copy(KeyedChannel from) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      serialize(from, out);
      return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy channel state of " + from.channel.callId + "/"
          + from.channel.channel, e);
    }
  }

  @Override
  public void serialize(KeyedChannel k, DataOutputView out) throws IOException {
    ChannelState s = k.channel;
    out.writeByte(VERSION);
    out.writeUTF(s.callId);
    out.writeUTF(s.channel);
    out.writeInt(s.sampleRate);
    out.writeByte(s.encoding == null ? -1 : s.encoding.ordinal());
    out.writeLong(s.originTimestamp);
    out.writeLong(s.nextSequence);
    out.writeBoolean(s.started);
    out.writeInt(s.lastChunkSamples);
    out.writeLong(s.pendingSinceMs);
    out.writeLong(s.lastActivityMs);
    out.writeLong(k.timerAtMs);
    out.writeBoolean(s.closed);
    out.writeLong(s.closedAtMs);
    out.writeBoolean(s.closedReason != null);
    if (s.closedReason != null) {
      out.writeUTF(s.closedReason);
    }
    out.writeInt(s.pending.size());
    for (Map.Entry<Long, ChunkRecord> e : s.pending.entrySet()) {
      writeChunk(e.getValue(), out);
    }
    out.writeBoolean(s.segmenter != null);
    if (s.segmenter != null) {
      s.segmenter.writeTo(out);
    }
    writeNullableUtf(s.traceparent, out);
  }

  @Override
  public KeyedChannel deserialize(DataInputView in) throws IOException {
    int version = readVersion(in, "channel state", VERSION);
    ChannelState s = new ChannelState(in.readUTF(), in.readUTF());
    KeyedChannel k = new KeyedChannel(s);
    s.sampleRate = in.readInt();
    int encoding = in.readByte();
    s.encoding = encoding < 0 ? null : SampleEncoding.values()[encoding];
    s.originTimestamp = in.readLong();
    s.nextSequence = in.readLong();
    s.started = in.readBoolean();
    s.lastChunkSamples = in.readInt();
    s.pendingSinceMs = in.readLong();
    s.lastActivityMs = in.readLong();
    k.timerAtMs = in.readLong();
    s.closed = in.readBoolean();
    s.closedAtMs = in.readLong();
    s.closedReason = in.readBoolean() ? in.readUTF() : null;
    int pending = in.readInt();
    for (int i = 0; i < pending; i++) {
      ChunkRecord c = readChunk(in, version);
      s.pending.put(c.sequence, c);
    }
    s.segmenter = in.readBoolean() ? UtteranceSegmenter.readFrom(in) : null;
    s.traceparent = version >= 2 ? readNullableUtf(in) : null;
    return k;
  }

  private static void writeChunk(ChunkRecord c, DataOutputView out) throws IOException {
    out.writeUTF(c.callId);
    out.writeUTF(c.channel);
    out.writeLong(c.sequence);
    out.writeLong(c.captureTimestamp);
    out.writeInt(c.sampleRate);
    out.writeByte(c.encoding.ordinal());
    out.writeInt(c.payload.length);
    out.write(c.payload);
    out.writeBoolean(c.endOfStream);
    out.writeInt(c.sourceKey == null ? -1 : c.sourceKey.length);
    if (c.sourceKey != null) {
      out.write(c.sourceKey);
    }
    out.writeUTF(c.sourceTopic == null ? "" : c.sourceTopic);
    out.writeInt(c.sourcePartition);
    out.writeLong(c.sourceOffset);
    writeNullableUtf(c.traceparent, out);
  }

  private static ChunkRecord readChunk(DataInputView in, int version) throws IOException {
    ChunkRecord c = new ChunkRecord();
    c.callId = in.readUTF();
    c.channel = in.readUTF();
    c.sequence = in.readLong();
    c.captureTimestamp = in.readLong();
    c.sampleRate = in.readInt();
    c.encoding = SampleEncoding.values()[in.readByte()];
    c.payload = new byte[in.readInt()];
    in.readFully(c.payload);
    c.endOfStream = in.readBoolean();
    int keyLength = in.readInt();
    if (keyLength >= 0) {
      c.sourceKey = new byte[keyLength];
      in.readFully(c.sourceKey);
    }
    c.sourceTopic = in.readUTF();
    c.sourcePartition = in.readInt();
    c.sourceOffset = in.readLong();
    c.traceparent = version >= 2 ? readNullableUtf(in) : null;
    return c;
  }

  @Override
  public TypeSerializerSnapshot<KeyedChannel> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * The serializer has no configuration: its snapshot only names it. Compatible as is with itself
   * and with the snapshot savepoints of the build before the split name
   * ({@code dev.ser.stream.internal.ChannelStateSerializer$Snapshot}, same layout).
   */
  public static final class Snapshot extends VersionedSerializer.Snapshot<KeyedChannel> {

    public Snapshot() {
      super(INSTANCE);
    }

    @Override
    TypeSerializerSchemaCompatibility<KeyedChannel> resolveOther(TypeSerializerSnapshot<KeyedChannel> old) {
      return old instanceof dev.ser.stream.internal.ChannelStateSerializer.Snapshot
          ? TypeSerializerSchemaCompatibility.compatibleAsIs() : TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
