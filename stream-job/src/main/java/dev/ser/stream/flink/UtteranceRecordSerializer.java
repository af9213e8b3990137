package dev.ser.stream.flink;

import dev.ser.stream.assembly.UtteranceRecord;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Wire and checkpoint format of {@link UtteranceRecord} (utterances waiting in the scoring
 * operator are part of its state). Versioned by its first byte, and named by this class rather
 * than the record's, so moving the record does not break savepoints.
 *
 * <p>Savepoints of the build before the package split hold those utterances as Flink POJOs of
 * {@code dev.ser.stream.internal.UtteranceRecord}: that class still exists (a subclass of the
 * record, nothing else), Flink reads them with the POJO serializer it recorded and they are
 * written in this format from the next checkpoint on (state migration).
 */
@Internal
public final class UtteranceRecordSerializer extends VersionedSerializer<UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  public static final UtteranceRecordSerializer INSTANCE = new UtteranceRecordSerializer();
  /** The type of the stream between segmentation and scoring. */
  public static final TypeInformation<UtteranceRecord> TYPE = new Type();
  /** 2: the traceparent, at the end; 3: the sample rate of the samples (the model it is routed to), after it. */
  private static final int VERSION = 3;

  @Override
  public UtteranceRecord createInstance() {
    return new UtteranceRecord();
  }

  @Override
  public UtteranceRecord copy(UtteranceRecord from) {
    UtteranceRecord u = new UtteranceRecord();
    u.callId = from.callId;
    u.channel = from.channel;
    u.index = from.index;
    u.startTime = from.startTime;
    u.endTime = from.endTime;
    u.samples = from.samples.clone();
    u.closedAtMs = from.closedAtMs;
    u.traceparent = from.traceparent;
    u.sampleRate = from.sampleRate;
    return u;
  }

  @Override
  public void serialize(UtteranceRecord u, DataOutputView out) throws IOException {
    out.writeByte(VERSION);
    out.writeUTF(u.callId);
    out.writeUTF(u.channel);
    out.writeInt(u.index);
    out.writeLong(u.startTime);
    out.writeLong(u.endTime);
    out.writeLong(u.closedAtMs);
    out.writeInt(u.samples.length);
    for (float x : u.samples) {
      out.writeFloat(x);
    }
    writeNullableUtf(u.traceparent, out);
    out.writeInt(u.sampleRate);
  }

  @Override
  public UtteranceRecord deserialize(DataInputView in) throws IOException {
    int version = readVersion(in, "utterance record", VERSION);
    UtteranceRecord u = new UtteranceRecord();
    u.callId = in.readUTF();
    u.channel = in.readUTF();
    u.index = in.readInt();
    u.startTime = in.readLong();
    u.endTime = in.readLong();
    u.closedAtMs = in.readLong();
    u.samples = new float[in.readInt()];
    for (int i = 0; i < u.samples.length; i++) {
      u.samples[i] = in.readFloat();
    }
    u.traceparent = version >= 2 ? readNullableUtf(in) : null;
    u.sampleRate = version >= 3 ? in.readInt() : 0;
    return u;
  }

  @Override
  public TypeSerializerSnapshot<UtteranceRecord> snapshotConfiguration() {
    return new Snapshot();
  }

  /** No configuration: the snapshot names the serializer. */
  public static final class Snapshot extends VersionedSerializer.Snapshot<UtteranceRecord> {

    public Snapshot() {
      super(INSTANCE);
    }

    /** After migration from the POJO format of the build before the split; nothing else. */
    @Override
    TypeSerializerSchemaCompatibility<UtteranceRecord> resolveOther(TypeSerializerSnapshot<UtteranceRecord> old) {
      return old instanceof PojoSerializerSnapshot<UtteranceRecord> pojo
          && UtteranceRecord.class.isInstance(pojo.restoreSerializer().createInstance())
          ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
          : TypeSerializerSchemaCompatibility.incompatible();
    }
  }

  private static final class Type extends TypeInformation<UtteranceRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    public Class<UtteranceRecord> getTypeClass() {
      return UtteranceRecord.class;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<UtteranceRecord> createSerializer(SerializerConfig config) {
      return INSTANCE;
    }

    @Override
    public String toString() {
      return "UtteranceRecord";
    }

    @Override
    public boolean equals(Object obj) {
      return obj instanceof Type;
    }

    @Override
    public int hashCode() {
      return Type.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
      return obj instanceof Type;
    }
  }
}
