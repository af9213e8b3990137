package dev.ser.stream.flink;

import dev.ser.stream.assembly.JobClock;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.assembly.ChannelState;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * Runs a {@link ChannelAssemblyFunction} and, when it opens, hands it the channels in the keyed
 * state this task was given (after a restore or a rescale, a task owns other channels than before),
 * so the per-task channel limits hold across restarts; it also lets the function reach another
 * channel's state and timers (to close a quiet channel for room, or forget an old closed one). Each checkpoint records the job time
 * ({@link JobClock}); a restore resumes it from the latest recorded by any subtask, so the time the
 * job was down does not count against any channel's waits. A savepoint taken before job time
 * existed has none: job time then starts as wall time.
 */
@Internal
public final class ChannelAssemblyOperator extends KeyedProcessOperator<String, ChunkRecord, UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  /** Union state: every subtask sees every subtask's time after a restore or a rescale. */
  static final ListStateDescriptor<Long> JOB_TIME = new ListStateDescriptor<>("job-time", LongSerializer.INSTANCE);

  private transient ListState<Long> jobTime;

  public ChannelAssemblyOperator(ChannelAssemblyFunction function) {
    super(function);
  }

  private ChannelAssemblyFunction function() {
    return (ChannelAssemblyFunction) userFunction;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    jobTime = context.getOperatorStateStore().getUnionListState(JOB_TIME);
    long latest = Long.MIN_VALUE;
    for (Long t : jobTime.get()) {
      latest = Math.max(latest, t);
    }
    if (latest != Long.MIN_VALUE) {
      function().clock().resumeFrom(latest, getProcessingTimeService().getCurrentProcessingTime());
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    jobTime.update(List.of(function().clock().now(getProcessingTimeService().getCurrentProcessingTime())));
  }

  @Override
  public void open() throws Exception {
    super.open();
    List<ChannelState> restored = new ArrayList<>();
    getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
        ChannelAssemblyFunction.STATE, (key, state) -> {
          KeyedChannel k = state.value();
          if (k != null) {
            restored.add(k.channel);
          }
        });
    function().restored(restored);
    function().useKeys(this::underKey);
  }

  /** Runs {@code action} with {@code key} as the current key (its state and timers), then restores the key. */
  private void underKey(String key, ThrowingRunnable<Exception> action) throws Exception {
    Object current = getCurrentKey();
    setCurrentKey(key);
    try {
      action.run();
    } finally {
      setCurrentKey(current);
    }
  }
}
