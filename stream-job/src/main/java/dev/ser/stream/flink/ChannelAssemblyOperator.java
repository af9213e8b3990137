package dev.ser.stream.flink;

import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.ChunkRecord;
import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs a {@link ChannelAssemblyFunction} and, when it opens, counts the open channels in the keyed
 * state this task was given (after a restore or a rescale, a task owns other channels than before),
 * so the per-task channel limit holds across restarts.
 */
@Internal
public final class ChannelAssemblyOperator extends KeyedProcessOperator<String, ChunkRecord, UtteranceRecord> {

  private static final long serialVersionUID = 1L;

  public ChannelAssemblyOperator(ChannelAssemblyFunction function) {
    super(function);
  }

  @Override
  public void open() throws Exception {
    super.open();
    long[] open = {0};
    getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
        ChannelAssemblyFunction.STATE, (key, state) -> {
          KeyedChannel k = state.value();
          if (k != null && !k.channel.closed) {
            open[0]++;
          }
        });
    ((ChannelAssemblyFunction) userFunction).restoredOpenChannels(open[0]);
  }
}
