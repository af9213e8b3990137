package dev.ser.stream.internal;

import dev.ser.core.vad.UtteranceSegmenter;
import dev.ser.schemas.SampleEncoding;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoint format of {@link ChannelState}. Versioned: the first byte is the layout version, so a
 * later layout can still read savepoints written by this one.
 */
public final class ChannelStateSerializer extends TypeSerializer<ChannelState> {

  private static final long serialVersionUID = 1L;
  public static final ChannelStateSerializer INSTANCE = new ChannelStateSerializer();
  private static final int VERSION = 1;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<ChannelState> duplicate() {
    return this; // stateless
  }

  @Override
  public ChannelState createInstance() {
    return new ChannelState();
  }

  /** A deep copy (the heap backend copies state that changes during an asynchronous snapshot). */
  @Override
  public ChannelState copy(ChannelState from) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      serialize(from, out);
      return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy channel state of " + from.callId + "/" + from.channel, e);
    }
  }

  @Override
  public ChannelState copy(ChannelState from, ChannelState reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(ChannelState s, DataOutputView out) throws IOException {
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
    out.writeLong(s.timerAtMs);
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
  }

  @Override
  public ChannelState deserialize(DataInputView in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("channel state version " + version + " is unknown to this build (reads " + VERSION + ")");
    }
    ChannelState s = new ChannelState(in.readUTF(), in.readUTF());
    s.sampleRate = in.readInt();
    int encoding = in.readByte();
    s.encoding = encoding < 0 ? null : SampleEncoding.values()[encoding];
    s.originTimestamp = in.readLong();
    s.nextSequence = in.readLong();
    s.started = in.readBoolean();
    s.lastChunkSamples = in.readInt();
    s.pendingSinceMs = in.readLong();
    s.lastActivityMs = in.readLong();
    s.timerAtMs = in.readLong();
    s.closed = in.readBoolean();
    s.closedAtMs = in.readLong();
    s.closedReason = in.readBoolean() ? in.readUTF() : null;
    int pending = in.readInt();
    for (int i = 0; i < pending; i++) {
      ChunkRecord c = readChunk(in);
      s.pending.put(c.sequence, c);
    }
    s.segmenter = in.readBoolean() ? UtteranceSegmenter.readFrom(in) : null;
    return s;
  }

  @Override
  public ChannelState deserialize(ChannelState reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
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
  }

  private static ChunkRecord readChunk(DataInputView in) throws IOException {
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
    return c;
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ChannelStateSerializer;
  }

  @Override
  public int hashCode() {
    return ChannelStateSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<ChannelState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer has no configuration: its snapshot only names it. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChannelState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
