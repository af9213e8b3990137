package dev.ser.stream.flink;

import dev.ser.stream.assembly.ChannelState;
import org.apache.flink.annotation.Internal;

/**
 * What the keyed function keeps per (call, channel): the channel's state and the processing-time
 * timer registered for it. One value state, so the heap state backend touches a single object per
 * chunk; the timer is Flink's business and stays out of the channel's state.
 */
@Internal
public final class KeyedChannel {
  public final ChannelState channel;
  /** The processing-time timer registered for this key, -1 when none. */
  public long timerAtMs = -1;

  public KeyedChannel(ChannelState channel) {
    this.channel = channel;
  }
}
