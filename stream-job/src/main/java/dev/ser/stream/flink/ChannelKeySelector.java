package dev.ser.stream.flink;

import dev.ser.stream.chunk.ChunkRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys chunks by (call, channel). */
@Internal
public final class ChannelKeySelector implements KeySelector<ChunkRecord, String> {
  private static final long serialVersionUID = 1L;

  @Override
  public String getKey(ChunkRecord chunk) {
    return chunk.streamKey();
  }
}
