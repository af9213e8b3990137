package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.assembly.ChannelAssemblySettings;
import dev.ser.stream.chunk.ChunkRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Many short calls that are abandoned mid-speech, without end of stream, round after round: after
 * the idle timeout and the retention every key's state and timer are gone, and the heap left
 * behind does not grow from round to round.
 */
class AbandonedCallsSoakTest {

  static final int ROUNDS = 6;
  static final int CALLS_PER_ROUND = 1500;

  @Test
  void stateAndTimersReturnToZeroAndTheHeapStaysFlat() throws Exception {
    ChannelAssemblySettings config = new ChannelAssemblySettings(8000, 9.0, -50.0, 500, 100, 400, 4000, 8, 2000, 10_000,
        30_000, 60_000, 0, 10_000_000, 1 << 20, 10_000);
    float[] speech = new float[8000 * 3]; // 3 s of a loud tone: the utterance stays open when the call stops
    Random random = new Random(9);
    for (int i = 0; i < speech.length; i++) {
      speech[i] = (float) (0.3 * Math.sin(i * 0.2) + 0.01 * random.nextGaussian());
    }
    List<ChunkRecord> template = TestAudio.chunks("c", "0", speech, 8000, 100, SampleEncoding.MULAW);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    List<Long> heapAfterRounds = new ArrayList<>();
    ChannelAssemblyFunction function = new ChannelAssemblyFunction(config, CALLS_PER_ROUND);
    try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ChannelAssemblyOperator(function),
        new ChannelKeySelector(), Types.STRING)) {
      h.open();
      long now = 0;
      int utterances = 0;
      for (int round = 0; round < ROUNDS; round++) {
        h.setProcessingTime(now);
        for (int call = 0; call < CALLS_PER_ROUND; call++) {
          for (ChunkRecord t : template.subList(0, 20)) { // 2 s of speech, then silence on the line
            ChunkRecord c = copy(t);
            c.callId = "round-" + round + "-call-" + call;
            h.processElement(c, c.captureTimestamp);
          }
        }
        assertThat(h.numKeyedStateEntries()).isEqualTo(CALLS_PER_ROUND);
        assertThat(h.numProcessingTimeTimers()).isEqualTo(CALLS_PER_ROUND);
        assertThat(function.openChannels()).isEqualTo(CALLS_PER_ROUND);
        now += config.idleTimeoutMs();
        h.setProcessingTime(now); // idle: every call is flushed and closed
        assertThat(function.openChannels()).as("open channels after round %d", round).isZero();
        now += config.closedRetentionMs();
        h.setProcessingTime(now); // retention over: forgotten
        assertThat(h.numKeyedStateEntries()).as("state after round %d", round).isZero();
        assertThat(h.numProcessingTimeTimers()).as("timers after round %d", round).isZero();
        utterances = h.extractOutputValues().size();
        h.getOutput().clear();
        System.gc();
        Thread.sleep(50);
        System.gc();
        heapAfterRounds.add(memory.getHeapMemoryUsage().getUsed());
      }
      assertThat(utterances).as("the open utterance of every abandoned call is flushed").isEqualTo(CALLS_PER_ROUND);
    }
    long first = heapAfterRounds.get(1); // after the first round classes are loaded and the JIT has run
    long last = heapAfterRounds.get(ROUNDS - 1);
    assertThat(last - first).as("heap growth over %d rounds of %d abandoned calls: %s", ROUNDS - 2, CALLS_PER_ROUND,
        heapAfterRounds).isLessThan(16L << 20);
  }

  static ChunkRecord copy(ChunkRecord t) {
    ChunkRecord c = new ChunkRecord();
    c.channel = t.channel;
    c.sequence = t.sequence;
    c.captureTimestamp = t.captureTimestamp;
    c.sampleRate = t.sampleRate;
    c.encoding = t.encoding;
    c.payload = t.payload;
    c.endOfStream = false;
    c.sourceTopic = t.sourceTopic;
    c.sourceOffset = t.sourceOffset;
    return c;
  }
}
