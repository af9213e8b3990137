package dev.ser.stream.internal;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys chunks by (call, channel). */
public final class StreamKeySelector implements KeySelector<ChunkRecord, String> {
  private static final long serialVersionUID = 1L;

  @Override
  public String getKey(ChunkRecord chunk) {
    return chunk.streamKey();
  }
}
