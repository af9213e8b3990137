package dev.ser.stream.internal;

import dev.ser.stream.flink.KeyedChannel;
import dev.ser.stream.flink.KeyedChannelSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * Only the name savepoints of the build before the package split recorded for the channel state's
 * serializer ({@code dev.ser.stream.internal.ChannelStateSerializer$Snapshot}); Flink instantiates
 * it by that name when it restores one. Its layout is {@link KeyedChannelSerializer}'s layout 1.
 * Kept because {@code SavepointCompatibilityITCase} needs it; do not use it in new code.
 */
@Deprecated
public final class ChannelStateSerializer {

  private ChannelStateSerializer() {}

  /** Reads what the old snapshot wrote (nothing but its name) and restores the current serializer. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<KeyedChannel> {
    public Snapshot() {
      super(() -> KeyedChannelSerializer.INSTANCE);
    }
  }
}
