package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.assembly.ChannelAssemblerTest;
import dev.ser.stream.assembly.ChannelAssemblySettings;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.traffic.SampleCalls;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The keyed function under Flink's operator harness: timers, keyed state, snapshots. */
class ChannelAssemblyFunctionTest {

  static final ChannelAssemblySettings CONFIG = ChannelAssemblerTest.CONFIG;
  static SampleCalls.Call call;

  @BeforeAll
  static void buildCall() throws Exception {
    call = SampleCalls.build(TestAudio.clips(6), 1, 22050, 1000, "call-").get(0);
  }

  static KeyedOneInputStreamOperatorTestHarness<String, ChunkRecord, UtteranceRecord> harness() throws Exception {
    return harness(new ChannelAssemblyFunction(CONFIG, 5000));
  }

  static KeyedOneInputStreamOperatorTestHarness<String, ChunkRecord, UtteranceRecord> harness(
      ChannelAssemblyFunction function) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(new ChannelAssemblyOperator(function), new ChannelKeySelector(),
        Types.STRING);
  }

  /** The first chunk of {@code callId}'s customer channel (sequence 0, no end of stream). */
  static ChunkRecord firstChunkOf(String callId) {
    ChunkRecord c = channel("customer").get(0);
    c.callId = callId;
    return c;
  }

  static List<ChunkRecord> channel(String name) {
    return TestAudio.chunks("call-1", name, call.channels().get(name), 22050, 100, SampleEncoding.PCM_S16LE);
  }

  /** Both channels, interleaved chunk by chunk, with each pair swapped and every 7th chunk repeated. */
  static List<ChunkRecord> messyCall() {
    List<ChunkRecord> a = channel("customer");
    List<ChunkRecord> b = channel("agent");
    List<ChunkRecord> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i += 2) {
      for (List<ChunkRecord> ch : List.of(a, b)) {
        if (i + 1 < ch.size()) {
          out.add(ch.get(i + 1));
        }
        out.add(ch.get(i));
        if (i % 7 == 0) {
          out.add(ch.get(i));
        }
      }
    }
    return out;
  }

  static List<String> ids(List<UtteranceRecord> us) {
    return us.stream().map(u -> u.utteranceId() + "@" + (u.startTime - TestAudio.START)).sorted().toList();
  }

  @Test
  void utterancesOfBothChannelsThenStateAndTimersAreGone() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(1_000);
      for (ChunkRecord c : messyCall()) {
        h.processElement(c, c.captureTimestamp);
      }
      assertThat(h.extractOutputValues()).extracting(UtteranceRecord::utteranceId).containsExactlyInAnyOrder(
          "call-1/customer/0", "call-1/customer/1", "call-1/customer/2",
          "call-1/agent/0", "call-1/agent/1", "call-1/agent/2");
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).isNull();
      // both channels ended: each remembers it is closed, with one timer for the end of retention
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

      h.setProcessingTime(1_000 + CONFIG.closedRetentionMs() - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      h.setProcessingTime(1_000 + CONFIG.closedRetentionMs());
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void anAbandonedCallIsFlushedAtTheIdleTimeoutAndForgottenAfterRetention() throws Exception {
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(0);
      List<ChunkRecord> chunks = channel("customer");
      for (ChunkRecord c : chunks.subList(0, chunks.size() / 2)) { // no end of stream
        h.processElement(c, c.captureTimestamp);
      }
      int before = h.extractOutputValues().size();
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.setProcessingTime(CONFIG.idleTimeoutMs());
      assertThat(h.extractOutputValues()).hasSizeGreaterThan(before);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

      // a chunk after closing is a dead letter, not a new stream
      ChunkRecord late = chunks.get(chunks.size() / 2 + 3);
      h.processElement(late, late.captureTimestamp);
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).singleElement()
          .extracting(r -> r.getValue().kind).isEqualTo(DeadLetterKind.LATE_CHUNK);

      h.setProcessingTime(CONFIG.idleTimeoutMs() + CONFIG.closedRetentionMs());
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void aRestoredSnapshotContinuesExactlyWhereItStopped() throws Exception {
    List<ChunkRecord> chunks = messyCall();
    List<UtteranceRecord> uninterrupted;
    try (var h = harness()) {
      h.open();
      for (ChunkRecord c : chunks) {
        h.processElement(c, c.captureTimestamp);
      }
      uninterrupted = h.extractOutputValues();
    }
    List<UtteranceRecord> restored = new ArrayList<>();
    OperatorSubtaskState snapshot = null;
    int[] cuts = {0, 37, 120, 121, 250, chunks.size()};
    for (int k = 0; k + 1 < cuts.length; k++) {
      try (var h = harness()) {
        if (snapshot != null) {
          h.initializeState(snapshot);
        }
        h.open();
        for (ChunkRecord c : chunks.subList(cuts[k], cuts[k + 1])) {
          h.processElement(c, c.captureTimestamp);
        }
        restored.addAll(h.extractOutputValues());
        snapshot = h.snapshot(k, k);
      }
    }
    assertThat(ids(restored)).containsExactlyElementsOf(ids(uninterrupted));
    assertThat(restored).hasSize(6);
  }

  /**
   * Issue 15, item 6: restored after being down ten idle timeouts, the job resumes the call (its
   * chunks waited in Kafka) instead of flushing and closing it the moment it is back; the outage does
   * not count against the idle timeout, and the idle timeout still applies from then on.
   */
  @Test
  void anOutageLongerThanTheIdleTimeoutDoesNotCutTheCall() throws Exception {
    List<ChunkRecord> chunks = channel("customer");
    List<String> uninterrupted;
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(1_000);
      for (ChunkRecord c : chunks) {
        h.processElement(c, c.captureTimestamp);
      }
      uninterrupted = ids(h.extractOutputValues());
    }
    int cut = chunks.size() / 2;
    List<UtteranceRecord> restored = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.open();
      h.setProcessingTime(1_000);
      for (ChunkRecord c : chunks.subList(0, cut)) {
        h.processElement(c, c.captureTimestamp);
      }
      restored.addAll(h.extractOutputValues());
      h.setProcessingTime(1_500); // checkpointed 500 ms after the last chunk
      snapshot = h.snapshot(1, 1_500);
    }
    long back = 1_500 + 10 * CONFIG.idleTimeoutMs();
    try (var h = harness()) {
      h.setProcessingTime(back);
      h.initializeState(snapshot);
      h.open();
      h.setProcessingTime(back + 1); // the restored timers are due: nothing may be cut
      assertThat(h.extractOutputValues()).isEmpty();
      for (ChunkRecord c : chunks.subList(cut, chunks.size())) {
        h.processElement(c, c.captureTimestamp);
      }
      restored.addAll(h.extractOutputValues());
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).isNull();
      assertThat(ids(restored)).containsExactlyElementsOf(uninterrupted);
      // the channel ended; its retention counts job time too, and then nothing is left
      h.setProcessingTime(back + 1 + CONFIG.closedRetentionMs() - 1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      h.setProcessingTime(back + 1 + CONFIG.closedRetentionMs());
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
    // with no chunk after the restore, the idle timeout runs from the last chunk in job time:
    // 500 ms of it had passed at the snapshot, so the channel closes at back + idle - 500
    for (long at : new long[] {back + CONFIG.idleTimeoutMs() - 501, back + CONFIG.idleTimeoutMs() - 500}) {
      try (var h = harness()) {
        h.setProcessingTime(back);
        h.initializeState(snapshot);
        h.open();
        h.setProcessingTime(back + 1); // the restored timer fires at once, as on a real restore, and re-arms
        h.setProcessingTime(at);
        h.processElement(chunks.get(cut), chunks.get(cut).captureTimestamp);
        var dead = h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS);
        if (at < back + CONFIG.idleTimeoutMs() - 500) {
          assertThat(dead).as("still open at " + (at - back)).isNull();
        } else {
          assertThat(dead).singleElement().satisfies(d -> assertThat(d.getValue().message)
              .endsWith("arrived after the channel was closed (no chunk for " + CONFIG.idleTimeoutMs()
                  + " ms, idle timeout " + CONFIG.idleTimeoutMs() + " ms)"));
        }
      }
    }
  }

  /**
   * Issue 15, item 4: a closed channel that never emitted an utterance has no ids a later chunk
   * could reuse, so nothing of it is kept: a flood of one-chunk calls (an end of stream at once)
   * leaves no state and no timer, where each used to stay for closed-retention-ms.
   */
  @Test
  void callsThatEndWithoutAnUtteranceLeaveNothingBehind() throws Exception {
    ChannelAssemblyFunction function = new ChannelAssemblyFunction(CONFIG, 5000);
    try (var h = harness(function)) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < 1000; i++) {
        ChunkRecord c = firstChunkOf("tiny-" + i);
        c.endOfStream = true;
        h.processElement(c, c.captureTimestamp);
      }
      // and one that waited for a chunk that never came before its end: the waiting one is refused
      ChunkRecord first = firstChunkOf("gap");
      ChunkRecord last = channel("customer").get(3);
      last.callId = "gap";
      last.endOfStream = true;
      h.processElement(first, first.captureTimestamp);
      h.processElement(last, last.captureTimestamp);
      h.setProcessingTime(CONFIG.maxReorderWaitMs());
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
      assertThat(function.openChannels()).isZero();
    }
  }

  @Test
  void aChannelBeyondTheTaskLimitIsADeadLetterWithoutStateUntilAnotherCloses() throws Exception {
    ChannelAssemblyFunction function = new ChannelAssemblyFunction(CONFIG, 2);
    try (var h = harness(function)) {
      h.open();
      h.setProcessingTime(0);
      for (String call : List.of("a", "b", "c")) {
        ChunkRecord c = firstChunkOf(call);
        h.processElement(c, c.captureTimestamp);
      }
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).singleElement().satisfies(r -> {
        assertThat(r.getValue().kind).isEqualTo(DeadLetterKind.TOO_MANY_CHANNELS);
        assertThat(r.getValue().message).isEqualTo("chunk 0 of c/customer would open a new channel, but this task"
            + " already has 2 open channels (max-channels-per-task=2); raise max-channels-per-task or the job's"
            + " parallelism, or look for a client inventing call ids");
      });
      assertThat(function.openChannels()).isEqualTo(2);
      assertThat(h.numKeyedStateEntries()).as("no state for the refused channel").isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

      // a and b go idle and close without an utterance: nothing of them is kept, so c is taken now
      h.setProcessingTime(CONFIG.idleTimeoutMs());
      assertThat(function.openChannels()).isZero();
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
      ChunkRecord c = firstChunkOf("c");
      h.processElement(c, c.captureTimestamp);
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).hasSize(1);
      assertThat(function.openChannels()).isEqualTo(1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
    }
  }

  /**
   * Issue 15, item 4, through Flink: at the limit, a quiet channel that never spoke gives its place
   * to a new one, its state and timer gone; one heard from within max-reorder-wait-ms does not.
   */
  @Test
  void aQuietChannelThatNeverSpokeMakesRoomStateAndTimerGone() throws Exception {
    ChannelAssemblyFunction function = new ChannelAssemblyFunction(CONFIG, 2);
    try (var h = harness(function)) {
      h.open();
      h.setProcessingTime(0);
      for (String call : List.of("a", "b")) {
        ChunkRecord c = firstChunkOf(call);
        h.processElement(c, c.captureTimestamp);
      }
      h.setProcessingTime(CONFIG.maxReorderWaitMs());
      for (String call : List.of("c", "d", "e")) { // c takes a's place, d b's; e finds c and d just heard from
        ChunkRecord c = firstChunkOf(call);
        h.processElement(c, c.captureTimestamp);
      }
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).singleElement().satisfies(r -> {
        assertThat(r.getValue().kind).isEqualTo(DeadLetterKind.TOO_MANY_CHANNELS);
        assertThat(r.getValue().message).startsWith("chunk 0 of e/customer would open a new channel");
      });
      assertThat(function.openChannels()).isEqualTo(2);
      assertThat(h.numKeyedStateEntries()).as("c and d only").isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(2);
      ChunkRecord a1 = channel("customer").get(1);
      a1.callId = "a";
      h.setProcessingTime(2 * CONFIG.maxReorderWaitMs());
      h.processElement(a1, a1.captureTimestamp); // a comes back: a new stream, in c's place (nothing of a was kept)
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).hasSize(1);
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(2);
    }
  }

  /** Closed channels beyond max-closed-channels-per-task: the one closed longest ago goes, state and timer. */
  @Test
  void closedChannelsBeyondTheirLimitAreForgottenOldestFirst() throws Exception {
    ChannelAssemblyFunction function = new ChannelAssemblyFunction(CONFIG, 10, 1);
    try (var h = harness(function)) {
      h.open();
      h.setProcessingTime(0);
      for (String call : List.of("first", "second")) {
        for (ChunkRecord c : channel("customer")) {
          c.callId = call;
          h.processElement(c, c.captureTimestamp);
        }
        h.setProcessingTime(1);
      }
      assertThat(h.extractOutputValues()).hasSize(6);
      assertThat(h.numKeyedStateEntries()).as("second only").isEqualTo(1);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.setProcessingTime(1 + CONFIG.closedRetentionMs());
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void theChannelLimitCountsTheRestoredOpenChannels() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(new ChannelAssemblyFunction(CONFIG, 2))) {
      h.open();
      h.setProcessingTime(0);
      ChunkRecord a = firstChunkOf("a");
      h.processElement(a, a.captureTimestamp);
      ChunkRecord ended = firstChunkOf("ended");
      ended.endOfStream = true; // closed at once without an utterance: neither open nor remembered
      h.processElement(ended, ended.captureTimestamp);
      ChunkRecord b = firstChunkOf("b");
      h.processElement(b, b.captureTimestamp);
      snapshot = h.snapshot(1, 1);
    }
    ChannelAssemblyFunction restored = new ChannelAssemblyFunction(CONFIG, 2);
    try (var h = harness(restored)) {
      h.initializeState(snapshot);
      h.open();
      assertThat(restored.openChannels()).isEqualTo(2);
      assertThat(h.numKeyedStateEntries()).isEqualTo(2);
      ChunkRecord c = firstChunkOf("c");
      h.processElement(c, c.captureTimestamp);
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).singleElement()
          .extracting(r -> r.getValue().kind).isEqualTo(DeadLetterKind.TOO_MANY_CHANNELS);
      ChunkRecord a1 = channel("customer").get(1);
      a1.callId = "a";
      h.processElement(a1, a1.captureTimestamp);
      assertThat(h.getSideOutput(ChannelAssemblyFunction.DEAD_LETTERS)).as("a known channel goes on").hasSize(1);
    }
  }

  @Test
  void aLimitBelowOneIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ChannelAssemblyFunction(CONFIG, 0))
        .hasMessage("maxOpenChannels must be >= 1, got 0");
  }

  @Test
  void outputGoesToTheRightPlace() throws Exception {
    try (var h = harness()) {
      h.open();
      ChunkRecord c = channel("agent").get(0);
      h.processElement(new StreamRecord<>(c, c.captureTimestamp));
      h.processElement(new StreamRecord<>(c, c.captureTimestamp));
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
    }
  }
}
