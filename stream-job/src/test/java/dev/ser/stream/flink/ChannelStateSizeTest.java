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
}
