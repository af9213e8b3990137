package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.assembly.ChannelAssemblySettings;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.traffic.SampleCalls;
import java.util.List;
import java.util.Locale;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;

/**
 * Checkpointed state per open channel, for the capacity model (issue 19): 50 telephone channels
 * (8 kHz mu-law, 100 ms chunks) of the same sample call, snapshot at moments of the call, state
 * bytes divided by the channels. The figures are printed (BENCHMARKS.md cites them) and bounded, so
 * a change that makes channels much heavier fails here.
 */
class ChannelStateSizeTest {

  static final int CHANNELS = 50;

  /** Keyed state bytes per channel after the first {@code chunks} chunks of every channel. */
  static double bytesPerChannelAfter(List<ChunkRecord> customer, int chunks) throws Exception {
    try (var h = ChannelAssemblyFunctionTest.harness(new ChannelAssemblyFunction(ChannelAssemblyFunctionTest.CONFIG,
        5000))) {
      h.open();
      h.setProcessingTime(0);
      for (int i = 0; i < chunks; i++) {
        for (int c = 0; c < CHANNELS; c++) {
          ChunkRecord r = copy(customer.get(i));
          r.callId = "call-" + c;
          h.processElement(r, r.captureTimestamp);
        }
      }
      OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
      long bytes = 0;
      for (KeyedStateHandle k : snapshot.getManagedKeyedState()) {
        bytes += k.getStateSize();
      }
      return (double) bytes / CHANNELS;
    }
  }

  static ChunkRecord copy(ChunkRecord c) {
    ChunkRecord r = new ChunkRecord();
    r.callId = c.callId;
    r.channel = c.channel;
    r.sequence = c.sequence;
    r.captureTimestamp = c.captureTimestamp;
    r.sampleRate = c.sampleRate;
    r.encoding = c.encoding;
    r.payload = c.payload;
    r.endOfStream = c.endOfStream;
    r.sourceTopic = c.sourceTopic;
    r.sourceOffset = c.sourceOffset;
    return r;
  }

  @Test
  void anOpenTelephoneChannelWeighsAFewKilobytesInSilenceAndItsUtteranceInSpeech() throws Exception {
    ChannelAssemblySettings settings = ChannelAssemblyFunctionTest.CONFIG;
    SampleCalls.Call call = SampleCalls.build(TestAudio.clips(2), 1, 8000, 1000, "call-").get(0);
    List<ChunkRecord> customer = TestAudio.chunks("call-1", "customer", call.channels().get("customer"), 8000, 100,
        SampleEncoding.MULAW);
    SampleCalls.Placement first = call.placements().get(0);
    // in the silence before the first utterance; one second into it; at its end (before the silence closes it)
    int silence = (int) (first.startMs() / 100) - 2;
    int oneSecondIn = (int) ((first.startMs() + 1000) / 100);
    int atEnd = (int) (first.endMs() / 100);
    double quiet = bytesPerChannelAfter(customer, silence);
    double speaking = bytesPerChannelAfter(customer, oneSecondIn);
    double whole = bytesPerChannelAfter(customer, atEnd);
    System.out.printf(Locale.ROOT, "state per open channel (8 kHz mu-law in, model at %d Hz): silence %.0f B,"
        + " 1 s into an utterance %.0f B, at the end of a %.1f s utterance %.0f B%n", settings.targetRate(), quiet,
        speaking, (first.endMs() - first.startMs()) / 1000.0, whole);
    assertThat(quiet).isLessThan(4_000);
    // an open utterance's audio is kept as float32 at the stream's rate (4 bytes a sample, 32 kB a second
    // at 8 kHz) until it ends: measured 31 624 B one second in and 63 624 B at the end of a 2 s utterance
    double perSecond = 4 * 8000;
    assertThat(speaking - quiet).isBetween(0.8 * perSecond, 1.2 * perSecond);
    double seconds = (first.endMs() - first.startMs()) / 1000.0;
    assertThat(whole - quiet).isBetween(0.8 * perSecond * seconds, 1.2 * perSecond * seconds);
  }

  static long heapUsedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) { // the lowest of a few collections: what is live, not what awaits collection
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /**
   * Heap per open channel, as the job holds it with Flink's heap state backend (issue 19's goal:
   * 1000 open telephone channels in at most 1 GB of TaskManager heap, so at most 1 MB each): 1000
   * channels in the segmentation stage's harness, heap measured after collections in silence and at
   * the end of a 2 s utterance, and extrapolated to the longest utterance the shipped model takes.
   */
  @Test
  void athousandOpenTelephoneChannelsFitInAFractionOfAGigabyteOfHeap() throws Exception {
    int channels = 1000;
    SampleCalls.Call call = SampleCalls.build(TestAudio.clips(2), 1, 8000, 1000, "call-").get(0);
    List<ChunkRecord> customer = TestAudio.chunks("call-1", "customer", call.channels().get("customer"), 8000, 100,
        SampleEncoding.MULAW);
    SampleCalls.Placement first = call.placements().get(0);
    int silence = (int) (first.startMs() / 100) - 2;
    int atEnd = (int) (first.endMs() / 100);
    double seconds = (first.endMs() - first.startMs()) / 1000.0;
    try (var h = ChannelAssemblyFunctionTest.harness(new ChannelAssemblyFunction(ChannelAssemblyFunctionTest.CONFIG,
        5000))) {
      h.open();
      h.setProcessingTime(0);
      long before = heapUsedAfterGc();
      double[] perChannel = new double[2];
      int from = 0;
      int moment = 0;
      for (int upTo : new int[] {silence, atEnd}) {
        for (int i = from; i < upTo; i++) {
          for (int c = 0; c < channels; c++) {
            ChunkRecord r = copy(customer.get(i));
            r.callId = "call-" + c;
            h.processElement(r, r.captureTimestamp);
          }
        }
        h.getOutput().clear(); // the utterances emitted are the next stage's, not this one's
        from = upTo;
        perChannel[moment++] = (double) (heapUsedAfterGc() - before) / channels;
      }
      double perSecond = (perChannel[1] - perChannel[0]) / seconds;
      double longest = perChannel[0] + perSecond * 4.353; // max-utterance-ms with the shipped model
      System.out.printf(Locale.ROOT, "heap per open channel (8 kHz mu-law, heap state backend): silence %.0f B, end of"
          + " a %.1f s utterance %.0f B, so %.0f B per second of open speech; at the longest utterance (4.35 s)"
          + " %.0f B: 1000 channels %.0f MB%n", perChannel[0], seconds, perChannel[1], perSecond, longest,
          1000 * longest / 1e6);
      assertThat(perChannel[0]).as("a silent channel").isLessThan(50_000);
      assertThat(longest).as("a channel at the longest utterance: 1000 of them in 1 GB").isLessThan(1_000_000);
    }
  }
}
