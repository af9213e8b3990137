package dev.ser.stream.flink;

import dev.ser.schemas.ModelUpdate;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.model.ModelSwitchboard;
import dev.ser.stream.model.ModelUpdateOrDeadLetter;
import dev.ser.stream.model.UpdateHistory;
import dev.ser.stream.scoring.SharedScorers;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where model updates meet the utterances, just before scoring. The last updates read from the
 * control topic are broadcast state (checkpointed with the control topic's offsets), and each update
 * is requested from the TaskManager's {@link ModelSwitchboard}, which loads and checks it on its
 * own thread while the running model keeps scoring. After a restore, the restored update is
 * requested before the first utterance passes, <em>holding</em> scoring until it is loaded (if it is
 * refused, the one before it is tried), so no utterance after a restart is scored by an older model
 * than the job had accepted.
 * Utterances pass through unchanged; records of the control topic that are no update become dead
 * letters (from the first subtask only: every subtask sees every broadcast record).
 *
 * <p>One model serves every band until band routing exists (the telephony issue): the latest update
 * of any band is the one requested.
 */
@Internal
public final class ModelUpdateFunction
    extends BroadcastProcessFunction<UtteranceRecord, ModelUpdateOrDeadLetter, UtteranceRecord> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateFunction.class);

  /** The last updates read ({@link UpdateHistory}) under {@link #HISTORY}. */
  public static final MapStateDescriptor<String, byte[]> REQUESTED = new MapStateDescriptor<>("requested-models",
      BasicTypeInfo.STRING_TYPE_INFO, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  static final String HISTORY = "history";

  private final SharedScorers.Spec spec;
  /** Where the TaskManager's outcomes are written; null: the logs only. */
  private final ModelSwitchboard.StatusListener.Factory statusWriter;
  private transient SharedScorers.Lease shared;
  private transient boolean restoredRequested;
  private transient Counter swaps;
  private transient Counter refused;

  public ModelUpdateFunction(SharedScorers.Spec spec, ModelSwitchboard.StatusListener.Factory statusWriter) {
    this.spec = spec;
    this.statusWriter = statusWriter;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    shared = SharedScorers.acquire(spec, getRuntimeContext().getJobInfo().getJobId().toString());
    if (statusWriter != null) {
      shared.switchboard().listenIfNone(statusWriter::create); // one writer per TaskManager
    }
    var metrics = getRuntimeContext().getMetricGroup();
    swaps = metrics.counter("model_swaps");
    refused = metrics.counter("model_updates_refused");
    ModelSwitchboard<?> board = shared.switchboard();
    JobMetrics.gauge(metrics, "active_model_version", () -> {
      ModelUpdate u = board.activeUpdate();
      return u == null ? "initial" : u.getModelName() + " " + u.getModelVersion();
    });
  }

  @Override
  public void processElement(UtteranceRecord u, ReadOnlyContext ctx, Collector<UtteranceRecord> out) throws Exception {
    if (!restoredRequested) {
      restoredRequested = true;
      List<ModelUpdate> restored = UpdateHistory.newestFirst(ctx.getBroadcastState(REQUESTED).get(HISTORY));
      if (!restored.isEmpty()) {
        LOG.info("restored model update {} {}: requested (then the {} before it, if refused) before the first"
            + " utterance is scored", restored.get(0).getModelName(), restored.get(0).getModelVersion(),
            restored.size() - 1);
        shared.switchboard().request(restored, true);
      }
    }
    countStatuses();
    out.collect(u);
  }

  @Override
  public void processBroadcastElement(ModelUpdateOrDeadLetter r, Context ctx, Collector<UtteranceRecord> out)
      throws Exception {
    if (r.deadLetter != null) {
      if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
        ctx.output(ChannelAssemblyFunction.DEAD_LETTERS, r.deadLetter);
      }
      return;
    }
    var state = ctx.getBroadcastState(REQUESTED);
    byte[] history = UpdateHistory.append(state.get(HISTORY), r.update);
    if (history == null) {
      return; // the same record again (a compacted topic read anew)
    }
    state.put(HISTORY, history);
    ModelUpdate update = ModelUpdateOrDeadLetter.read(r.update);
    // the running model scores while it loads (a restored task asks again, holding, at its first utterance: by then
    // this update is the newest of the history). Never a hold here: a subtask without traffic would otherwise make
    // every update stop scoring in its TaskManager while it loads.
    shared.switchboard().request(update);
    countStatuses();
  }

  /** Counts what came of the requests since the last look (each status once per TaskManager). */
  private void countStatuses() {
    for (ModelSwitchboard.Status s : shared.switchboard().drainStatuses()) {
      if (s.accepted()) {
        swaps.inc();
      } else if (s.refusedBy() != null) {
        refused.inc();
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }
}
