package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.TestAudio;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.model.ModelSwitchboard;
import dev.ser.stream.model.ModelUpdateOrDeadLetter;
import dev.ser.stream.scoring.ScoringModel;
import dev.ser.stream.scoring.SharedScorers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control branch on Flink's operator harness with real models: an update is requested from the
 * TaskManager's switchboard and swapped in; the update is broadcast state, so a restored task (a new
 * switchboard that starts with the job's model file) asks for it again and holds the first
 * utterance until it is active; control records that are no update are dead letters.
 */
class ModelUpdateFunctionTest {

  static final Path SECOND = fixture("second-version.onnx");
  static final SharedScorers.Spec SPEC;

  static {
    try {
      SPEC = new SharedScorers.Spec(TestAudio.model().toAbsolutePath().toString(), InferenceDevice.CPU, 1, 1, 0, 1,
          ModelChecksum.sha256(TestAudio.model()));
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static Path fixture(String name) {
    try {
      return Path.of(ModelUpdateFunctionTest.class.getResource("/models/" + name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelUpdateOrDeadLetter secondVersion() throws Exception {
    ModelUpdate u = ModelUpdate.newBuilder().setModelName("ms-senet-emodb").setModelVersion("fixture-2")
        .setLocation(SECOND.toString()).setSha256(ModelChecksum.sha256(SECOND)).setBand(ModelBand.ALL)
        .setIssuedAt(Instant.parse("2026-11-30T12:00:00Z")).setIssuedBy("test").build();
    ModelUpdateOrDeadLetter r = new ModelUpdateOrDeadLetter();
    r.update = WireFormat.encode(u);
    return r;
  }

  static UtteranceRecord utterance(int index) {
    UtteranceRecord u = new UtteranceRecord();
    u.callId = "c-1";
    u.channel = "customer";
    u.index = index;
    u.samples = new float[0];
    return u;
  }

  static BroadcastOperatorTestHarness<UtteranceRecord, ModelUpdateOrDeadLetter, UtteranceRecord> harness(int subtask)
      throws Exception {
    return new BroadcastOperatorTestHarness<>(new CoBroadcastWithNonKeyedOperator<>(new ModelUpdateFunction(SPEC, null),
        List.of(ModelUpdateFunction.REQUESTED)), 2, 2, subtask);
  }

  /** The job id the harness's tasks run under (the switchboard is per job). */
  static String job(BroadcastOperatorTestHarness<?, ?, ?> h) {
    return h.getEnvironment().getJobID().toString();
  }

  /** The version the TaskManager's switchboard scores with now (waiting for a holding request, as scoring does). */
  static String activeVersion(String job) throws Exception {
    try (SharedScorers.Lease shared = SharedScorers.acquire(SPEC, job);
        ModelSwitchboard<ScoringModel>.Lease model = shared.switchboard().acquire()) {
      return model.model().metadata().version();
    }
  }

  @AfterEach
  void everythingClosed() {
    assertThat(SharedScorers.openCount()).isZero();
    SharedScorers.closeUnused();
  }

  @Test
  void anUpdateIsSwappedInAndARestoredTaskHoldsItsFirstUtteranceUntilTheModelIsBack() throws Exception {
    String shippedVersion;
    OperatorSubtaskState snapshot;
    try (var h = harness(0)) {
      h.setup();
      h.open();
      shippedVersion = activeVersion(job(h));
      h.processBroadcastElement(secondVersion(), 1);
      try (SharedScorers.Lease shared = SharedScorers.acquire(SPEC, job(h))) {
        while (shared.switchboard().activeUpdate() == null) { // loaded on the switchboard's own thread
          Thread.sleep(10);
        }
        assertThat(shared.switchboard().activeUpdate().getModelVersion()).isEqualTo("fixture-2");
      }
      h.processElement(utterance(1), 2);
      assertThat(h.extractOutputValues()).extracting(u -> u.index).containsExactly(1);
      snapshot = h.snapshot(1, 3);
    }
    assertThat(SharedScorers.openCount()).isZero();
    SharedScorers.closeUnused(); // the TaskManager's models are gone, as after a TaskManager process restart
    assertThat(shippedVersion).isNotEqualTo("fixture-2");

    try (var restored = harness(0)) {
      restored.setup();
      restored.initializeState(snapshot);
      restored.open();
      try (SharedScorers.Lease shared = SharedScorers.acquire(SPEC, job(restored))) {
        assertThat(shared.switchboard().activeUpdate()).as("a new switchboard starts with the job's file").isNull();
        restored.processElement(utterance(2), 4);
        assertThat(activeVersion(job(restored))).as("the first utterance after the restore waits for the restored model")
            .isEqualTo("fixture-2");
      }
      assertThat(restored.extractOutputValues()).extracting(u -> u.index).containsExactly(2);
    }
  }

  @Test
  void aControlRecordThatIsNoUpdateIsOneDeadLetterFromTheFirstSubtaskOnly() throws Exception {
    ModelUpdateOrDeadLetter bad = ModelUpdateOrDeadLetter.decode(WireFormat.decoder(ModelUpdate.class),
        "ALL".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8), "model-updates", 0, 3, 5);
    for (int subtask : new int[] {0, 1}) {
      try (var h = harness(subtask)) {
        h.setup();
        h.open();
        h.processBroadcastElement(bad, 1);
        var deadLetters = h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS);
        if (subtask == 0) {
          assertThat(deadLetters).hasSize(1);
          assertThat(deadLetters.peek().getValue().kind).isEqualTo(DeadLetterKind.BAD_AVRO);
          assertThat(deadLetters.peek().getValue().sourceOffset).isEqualTo(3);
        } else {
          assertThat(deadLetters).isNullOrEmpty();
        }
        assertThat(activeVersion(job(h))).as("nothing requested").isNotEqualTo("fixture-2");
      }
    }
  }

  @Test
  void aRestartInTheSameTaskManagerFindsTheSwappedModelAndAnotherJobNeverSharesIt() throws Exception {
    try (SharedScorers.Lease first = SharedScorers.acquire(SPEC, "job-a")) {
      first.switchboard().request(ModelUpdateOrDeadLetter.read(secondVersion().update));
      while (first.switchboard().activeUpdate() == null) {
        Thread.sleep(10);
      }
      try (SharedScorers.Lease other = SharedScorers.acquire(SPEC, "job-b")) {
        assertThat(other.switchboard().activeUpdate()).as("another job's model is its own").isNull();
      }
    }
    // every task of job-a closed (a failover); the restarted tasks open within the linger time
    try (SharedScorers.Lease again = SharedScorers.acquire(SPEC, "job-a")) {
      assertThat(again.switchboard().activeUpdate().getModelVersion()).as("no reload of the job's first model")
          .isEqualTo("fixture-2");
    }
  }
}
