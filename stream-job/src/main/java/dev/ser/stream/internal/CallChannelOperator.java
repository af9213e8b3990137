package dev.ser.stream.internal;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs a {@link CallChannelFunction} and, when it opens, counts the open channels in the keyed
 * state this task was given (after a restore or a rescale, a task owns other channels than before),
 * so the per-task channel limit holds across restarts.
 */
public final class CallChannelOperator extends KeyedProcessOperator<String, ChunkRecord, UtteranceRecord> {

  private static final long serialVersionUID = 1L;

  public CallChannelOperator(CallChannelFunction function) {
    super(function);
  }

  @Override
  public void open() throws Exception {
    super.open();
    long[] open = {0};
    getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
        CallChannelFunction.STATE, (key, state) -> {
          ChannelState s = state.value();
          if (s != null && !s.closed) {
            open[0]++;
          }
        });
    ((CallChannelFunction) userFunction).restoredOpenChannels(open[0]);
  }
}
