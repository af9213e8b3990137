package dev.ser.stream.flink;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A serializer of ours without configuration, whose records start with their layout version: what
 * {@link KeyedChannelSerializer} and {@link UtteranceRecordSerializer} share.
 */
@Internal
abstract class VersionedSerializer<T> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    return this; // stateless
  }

  @Override
  public T copy(T from, T reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public T deserialize(T reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object obj) {
    return obj != null && obj.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return getClass().hashCode();
  }

  /** Reads the layout version and refuses one this build does not know. */
  /** Reads the version byte; versions 1 to {@code version} are readable, any other is refused. */
  static int readVersion(DataInputView in, String what, int version) throws IOException {
    int read = in.readUnsignedByte();
    if (read < 1 || read > version) {
      throw new IOException(what + " version " + read + " is unknown to this build (reads 1.." + version + ")");
    }
    return read;
  }

  static void writeNullableUtf(String s, DataOutputView out) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  static String readNullableUtf(DataInputView in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  /**
   * The snapshot of a serializer without configuration: it only names the serializer, and is
   * compatible as is with a snapshot of its own class; {@link #resolveOther} decides about others.
   */
  abstract static class Snapshot<T> implements TypeSerializerSnapshot<T> {

    private final TypeSerializer<T> serializer;

    Snapshot(TypeSerializer<T> serializer) {
      this.serializer = serializer;
    }

    @Override
    public int getCurrentVersion() {
      return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {}

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {}

    @Override
    public TypeSerializer<T> restoreSerializer() {
      return serializer;
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
      return old.getClass() == getClass() ? TypeSerializerSchemaCompatibility.compatibleAsIs() : resolveOther(old);
    }

    /** The compatibility with a snapshot of another class (of an older build); incompatible unless overridden. */
    TypeSerializerSchemaCompatibility<T> resolveOther(TypeSerializerSnapshot<T> old) {
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
