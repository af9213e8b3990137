package dev.ser.stream.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.traffic.SampleCalls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

public class ChannelAssemblerTest {

  static final int RATE = 22050;
  /** The default model's settings: 22 050 Hz, utterances up to 96000 samples (4353 ms). */
  public static final ChannelAssemblySettings CONFIG = new ChannelAssemblySettings(RATE, 9.0, -50.0, 500, 100, 400, 4353, 8, 2000, 10_000,
      60_000, 600_000, 0, 10_000_000, 1 << 20, 10_000);

  static SampleCalls.Call call;

  /** A fresh channel per test (JUnit makes a new instance for each). */
  final ChannelAssembler assembler = new ChannelAssembler(CONFIG);
  final ChannelState s = new ChannelState("call-1", "customer");
  final Collected out = new Collected();
  static float[] customer;

  @BeforeAll
  static void buildCall() throws Exception {
    call = SampleCalls.build(TestAudio.clips(6), 1, RATE, 1000, "call-").get(0);
    customer = call.channels().get("customer");
  }

  public static final class Collected implements ChannelAssembler.Output {
    public final List<UtteranceRecord> utterances = new ArrayList<>();
    public final List<DeadLetterRecord> deadLetters = new ArrayList<>();
    public int duplicates;
    public final List<long[]> gaps = new ArrayList<>();

    @Override
    public void utterance(UtteranceRecord u) {
      utterances.add(u);
    }

    @Override
    public void deadLetter(DeadLetterRecord d) {
      deadLetters.add(d);
    }

    @Override
    public void duplicate(ChunkRecord chunk) {
      duplicates++;
    }

    @Override
    public void gapFilled(long missingChunks, long silenceSamples) {
      gaps.add(new long[] {missingChunks, silenceSamples});
    }
  }

  /** Feeds a whole channel to a new assembler; the last chunk must end the stream. */
  static Collected feed(List<ChunkRecord> chunks) {
    return feed("call-1", "customer", chunks);
  }

  /** Feeds a whole channel of {@code callId} to a new assembler with {@link #CONFIG}; the last chunk must end it. */
  public static Collected feed(String callId, String channel, List<ChunkRecord> chunks) {
    ChannelAssembler fresh = new ChannelAssembler(CONFIG);
    ChannelState state = new ChannelState(callId, channel);
    Collected collected = new Collected();
    long now = 1000;
    for (ChunkRecord c : chunks) {
      fresh.onChunk(state, c, now++, Long.MIN_VALUE, collected);
    }
    assertThat(state.closed).as("closed by end of stream").isTrue();
    return collected;
  }

  static List<ChunkRecord> inOrder() {
    return TestAudio.chunks("call-1", "customer", customer, RATE, 100, SampleEncoding.PCM_S16LE);
  }

  static List<String> spans(List<UtteranceRecord> us) {
    return us.stream().map(u -> u.index + ":" + (u.startTime - TestAudio.START) + "-" + (u.endTime - TestAudio.START)
        + "/" + u.samples.length).toList();
  }

  @Test
  void eachClipOfTheChannelBecomesOneUtteranceAtItsPlace() {
    Collected out = feed(inOrder());
    List<SampleCalls.Placement> mine = call.placements().stream().filter(p -> p.channel().equals("customer")).toList();
    assertThat(mine).hasSize(3);
    assertThat(out.utterances).hasSize(3);
    for (int i = 0; i < 3; i++) {
      UtteranceRecord u = out.utterances.get(i);
      SampleCalls.Placement p = mine.get(i);
      assertThat(u.index).isEqualTo(i);
      assertThat(u.utteranceId()).isEqualTo("call-1/customer/" + i);
      // starts with the speech (pre-roll 100 ms, plus up to one 10 ms frame), ends after the hangover
      assertThat(u.startTime - TestAudio.START).isBetween(p.startMs() - 110, p.endMs());
      assertThat(u.endTime - TestAudio.START).isBetween(p.startMs(), p.endMs() + 610);
      // same rate as the model: the samples are the stream's, times rounded down to the ms
      assertThat((double) u.samples.length).isCloseTo((u.endTime - u.startTime) * RATE / 1000.0,
          org.assertj.core.api.Assertions.within(RATE / 1000.0 + 1));
    }
    assertThat(out.deadLetters).isEmpty();
    assertThat(out.duplicates).isZero();
    assertThat(out.gaps).isEmpty();
  }

  /**
   * With several models (issue 14) each stream's utterances are resampled to the rate of the model
   * its rate is routed to, and carry that rate; a stream no model takes is refused chunk by chunk.
   */
  @Test
  void withSeveralModelsAStreamIsResampledToItsModelsRateOrRefused() {
    ChannelAssemblySettings two = new ChannelAssemblySettings(RATE, 9.0, -50.0, 500, 100, 400, 4353, 8, 2000, 10_000,
        60_000, 600_000, 0, 10_000_000, 1 << 20, 10_000, new dev.ser.core.scoring.ModelRouter(List.of(
            new dev.ser.core.scoring.ModelRouter.Candidate("narrow", 8000),
            new dev.ser.core.scoring.ModelRouter.Candidate("wide", RATE)), dev.ser.core.scoring.ModelRouter.Between.HIGHER));
    float[] at8k = dev.ser.core.audio.AudioResampler.resample(customer, RATE, 8000);
    for (int[] rates : new int[][] {{8000, 8000}, {RATE, RATE}}) {
      ChannelAssembler a = new ChannelAssembler(two);
      ChannelState state = new ChannelState("call-1", "customer");
      Collected got = new Collected();
      long now = 1000;
      for (ChunkRecord c : TestAudio.chunks("call-1", "customer", rates[0] == 8000 ? at8k : customer, rates[0], 100,
          SampleEncoding.PCM_S16LE)) {
        a.onChunk(state, c, now++, Long.MIN_VALUE, got);
      }
      assertThat(got.utterances).hasSize(3);
      for (UtteranceRecord u : got.utterances) {
        assertThat(u.sampleRate).isEqualTo(rates[1]);
        assertThat((double) u.samples.length).isCloseTo((u.endTime - u.startTime) * rates[1] / 1000.0,
            org.assertj.core.api.Assertions.within(rates[1] / 1000.0 + 1));
      }
    }
    ChannelAssemblySettings high = new ChannelAssemblySettings(RATE, 9.0, -50.0, 500, 100, 400, 4353, 8, 2000, 10_000,
        60_000, 600_000, 0, 10_000_000, 1 << 20, 10_000, new dev.ser.core.scoring.ModelRouter(List.of(
            new dev.ser.core.scoring.ModelRouter.Candidate("m-16k", 16000),
            new dev.ser.core.scoring.ModelRouter.Candidate("wide", RATE)), dev.ser.core.scoring.ModelRouter.Between.HIGHER));
    ChannelAssembler a = new ChannelAssembler(high);
    ChannelState state = new ChannelState("call-1", "customer");
    Collected got = new Collected();
    List<ChunkRecord> chunks = TestAudio.chunks("call-1", "customer", at8k, 8000, 100, SampleEncoding.PCM_S16LE);
    for (ChunkRecord c : chunks.subList(0, 3)) {
      a.onChunk(state, c, 1000, Long.MIN_VALUE, got);
    }
    assertThat(got.utterances).isEmpty();
    assertThat(got.deadLetters).hasSize(3);
    assertThat(got.deadLetters.get(0).kind).isEqualTo(dev.ser.schemas.DeadLetterKind.BAD_SAMPLE_RATE);
    assertThat(got.deadLetters.get(0).message).isEqualTo("chunk 0 of call-1/customer: no model for a 8000 Hz stream:"
        + " the lowest model rate is 16000 Hz (m-16k)");
  }

  /** Each utterance carries the traceparent of the chunk whose processing ended it (none: none). */
  @Test
  void anUtteranceCarriesTheTraceOfTheChunkThatEndedIt() {
    List<ChunkRecord> chunks = inOrder();
    for (ChunkRecord c : chunks) {
      c.traceparent = String.format("00-%032x-%016x-01", c.sequence + 1, c.sequence + 1);
    }
    ChannelAssembler assembler = new ChannelAssembler(CONFIG);
    ChannelState state = new ChannelState("call-1", "customer");
    Collected out = new Collected();
    List<String> endedBy = new java.util.ArrayList<>();
    for (ChunkRecord c : chunks) {
      int before = out.utterances.size();
      assembler.onChunk(state, c, 1000, Long.MIN_VALUE, out);
      for (int k = before; k < out.utterances.size(); k++) {
        endedBy.add(c.traceparent);
      }
    }
    assertThat(out.utterances).hasSize(3);
    assertThat(out.utterances).extracting(u -> u.traceparent).containsExactlyElementsOf(endedBy);
    assertThat(endedBy).doesNotContainNull().doesNotHaveDuplicates();
  }

  /**
   * Issue 15, item 5: a producer sending faster than real time, by its own clock (every chunk
   * stamped with the same capture time), gets 10 s of audio ahead and no more: the chunks beyond
   * are dead letters naming the reason, and the stream ends normally. An honest catch-up (fast, but
   * stamped with its audio's times) is the ordinary case every other test feeds.
   */
  @Test
  void audioSentFasterThanItsOwnClockIsRefusedBeyondTheLimit() {
    List<ChunkRecord> chunks = inOrder().subList(0, 150);
    for (ChunkRecord c : chunks) {
      c.captureTimestamp = TestAudio.START; // all "captured" at once
    }
    chunks.get(chunks.size() - 1).endOfStream = true;
    ChannelAssembler assembler = new ChannelAssembler(CONFIG);
    ChannelState state = new ChannelState("call-1", "customer");
    Collected out = new Collected();
    for (ChunkRecord c : chunks) {
      assembler.onChunk(state, c, 1000, Long.MIN_VALUE, out);
    }
    // 100 ms chunks: after 101 of them the audio is 10 100 ms ahead of the clock, beyond 10 000
    assertThat(out.deadLetters).hasSize(150 - 101);
    assertThat(out.deadLetters).extracting(d -> d.kind).containsOnly(DeadLetterKind.INVALID_FIELD);
    assertThat(out.deadLetters.get(0).message).isEqualTo("chunk 101 of call-1/customer: the channel's audio runs"
        + " 10100 ms ahead of its capture timestamps (sent faster than real time); at most 10000 ms is accepted"
        + " (max-audio-ahead-ms); the chunk is dropped");
    assertThat(state.closed).as("the end of stream still ends it").isTrue();
    assertThat(state.closedReason).isEqualTo("end of stream at sequence 149");
  }

  @Test
  void shuffledAndDuplicatedChunksGiveTheSameUtterances() {
    Collected reference = feed(inOrder());
    List<ChunkRecord> chunks = new ArrayList<>(inOrder());
    List<ChunkRecord> messy = new ArrayList<>();
    Random random = new Random(3);
    // shuffle within windows of 6 chunks (the buffer holds 8) and send every 5th chunk twice
    for (int i = 0; i < chunks.size(); i += 6) {
      List<ChunkRecord> window = new ArrayList<>(chunks.subList(i, Math.min(i + 6, chunks.size())));
      Collections.shuffle(window, random);
      messy.addAll(window);
    }
    for (int i = messy.size() - 1; i >= 0; i -= 5) {
      messy.add(i, messy.get(i));
    }
    Collected out = feed(messy);
    assertThat(spans(out.utterances)).containsExactlyElementsOf(spans(reference.utterances));
    for (int i = 0; i < out.utterances.size(); i++) {
      assertThat(out.utterances.get(i).samples).isEqualTo(reference.utterances.get(i).samples);
    }
    assertThat(out.duplicates).isEqualTo((messy.size() - chunks.size()));
    assertThat(out.gaps).isEmpty();
  }

  @Test
  void aLostChunkBecomesSilenceOfItsLengthSoLaterTimesStayRight() {
    Collected reference = feed(inOrder());
    List<ChunkRecord> chunks = new ArrayList<>(inOrder());
    // lose two chunks in the silence before the last utterance; the buffer overflows and fills the gap
    long lastStart = reference.utterances.get(2).startTime - TestAudio.START;
    int lost = (int) (lastStart / 100) - 4;
    chunks.remove(lost);
    chunks.remove(lost);
    Collected out = feed(chunks);
    assertThat(out.gaps).hasSize(1);
    assertThat(out.gaps.get(0)).containsExactly(2, 2 * RATE / 10);
    assertThat(spans(out.utterances)).containsExactlyElementsOf(spans(reference.utterances));
  }

  @Test
  void endOfStreamClosesTheChannelAndLaterChunksAreDeadLettersOrDuplicates() {
    List<ChunkRecord> chunks = inOrder();
    for (ChunkRecord c : chunks) {
      assembler.onChunk(s, c, 5000, Long.MIN_VALUE, out);
    }
    assertThat(s.closed).isTrue();
    assertThat(s.closedReason).isEqualTo("end of stream at sequence " + (chunks.size() - 1));
    assertThat(s.segmenter).isNull();
    assertThat(assembler.nextDeadline(s)).isEqualTo(5000 + 600_000);

    assembler.onChunk(s, chunks.get(3), 5001, Long.MIN_VALUE, out); // a replayed old chunk
    ChunkRecord late = TestAudio.chunks("call-1", "customer", new float[44100], RATE, 100, SampleEncoding.PCM_S16LE)
        .get(0);
    late.sequence = chunks.size() + 4;
    assembler.onChunk(s, late, 5002, Long.MIN_VALUE, out);
    assertThat(out.duplicates).isEqualTo(1);
    assertThat(out.deadLetters).singleElement().satisfies(d -> {
      assertThat(d.kind).isEqualTo(DeadLetterKind.LATE_CHUNK);
      assertThat(d.message).isEqualTo("chunk " + late.sequence + " of call-1/customer arrived after the channel was"
          + " closed (end of stream at sequence " + (chunks.size() - 1) + ")");
      assertThat(d.value).isNotEmpty();
    });
    assertThat(assembler.onTimer(s, 5000 + 599_999, out)).isFalse();
    assertThat(assembler.onTimer(s, 5000 + 600_000, out)).as("forgotten after the retention").isTrue();
  }

  @Test
  void anAbandonedChannelIsFlushedAtTheIdleTimeout() {
    List<ChunkRecord> chunks = inOrder();
    // everything up to the middle of the first utterance, then the line goes quiet without end of stream
    long firstEnd = feed(inOrder()).utterances.get(0).endTime - TestAudio.START;
    int cut = (int) (firstEnd / 100) - 8;
    for (ChunkRecord c : chunks.subList(0, cut)) {
      assembler.onChunk(s, c, 1000, Long.MIN_VALUE, out);
    }
    assertThat(out.utterances).isEmpty();
    assertThat(assembler.nextDeadline(s)).isEqualTo(61_000);
    assertThat(assembler.onTimer(s, 60_999, out)).isFalse();
    assertThat(s.closed).isFalse();
    assertThat(assembler.onTimer(s, 61_000, out)).isFalse();
    assertThat(s.closed).isTrue();
    assertThat(s.closedReason).isEqualTo("no chunk for 60000 ms, idle timeout 60000 ms");
    assertThat(out.utterances).singleElement().satisfies(u -> assertThat(u.index).isZero());
    assertThat(assembler.onTimer(s, 661_000, out)).isTrue();
  }

  @Test
  void aGapThatIsNotFilledInTimeIsSilenceAfterTheReorderWait() {
    List<ChunkRecord> chunks = inOrder();
    assembler.onChunk(s, chunks.get(0), 1000, Long.MIN_VALUE, out);
    assembler.onChunk(s, chunks.get(2), 1100, Long.MIN_VALUE, out);
    assertThat(s.pending).containsOnlyKeys(2L);
    assertThat(assembler.nextDeadline(s)).isEqualTo(1100 + 2000);
    assembler.onTimer(s, 3100, out);
    assertThat(s.pending).isEmpty();
    assertThat(s.nextSequence).isEqualTo(3);
    assertThat(out.gaps).singleElement().satisfies(g -> assertThat(g).containsExactly(1, RATE / 10));
  }

  @Test
  void theReorderBufferIsBoundedInBytesTooNotOnlyInChunks() {
    // 100 ms of 22 050 Hz PCM16 is 4 410 bytes: at most two such chunks may wait (8 820 bytes)
    ChannelAssemblySettings small = new ChannelAssemblySettings(RATE, 9.0, -50.0, 500, 100, 400, 4353, 8, 2000,
        10_000, 60_000, 600_000, 0, 10_000_000, 8_820, 10_000);
    ChannelAssembler bounded = new ChannelAssembler(small);
    List<ChunkRecord> chunks = inOrder();
    bounded.onChunk(s, chunks.get(0), 1000, Long.MIN_VALUE, out);
    bounded.onChunk(s, chunks.get(2), 1000, Long.MIN_VALUE, out);
    bounded.onChunk(s, chunks.get(3), 1000, Long.MIN_VALUE, out);
    assertThat(s.pending).containsOnlyKeys(2L, 3L);
    assertThat(out.gaps).isEmpty();
    bounded.onChunk(s, chunks.get(4), 1000, Long.MIN_VALUE, out); // 13 230 bytes would wait: chunk 1 is silence
    assertThat(s.pending).isEmpty();
    assertThat(s.nextSequence).isEqualTo(5);
    assertThat(out.gaps).singleElement().satisfies(g -> assertThat(g).containsExactly(1, RATE / 10));
  }

  @Test
  void aChangeOfSampleRateWithinTheStreamIsADeadLetterAndSilence() {
    List<ChunkRecord> chunks = inOrder();
    ChunkRecord odd = TestAudio.chunks("call-1", "customer", new float[800], 8000, 100, SampleEncoding.PCM_S16LE).get(0);
    odd.sequence = 1;
    odd.endOfStream = false;
    assembler.onChunk(s, chunks.get(0), 1000, Long.MIN_VALUE, out);
    assembler.onChunk(s, odd, 1000, Long.MIN_VALUE, out);
    assertThat(out.deadLetters).singleElement().satisfies(d -> {
      assertThat(d.kind).isEqualTo(DeadLetterKind.BAD_SAMPLE_RATE);
      assertThat(d.message).startsWith("sample rate changed from 22050 to 8000 Hz within the stream");
    });
    assertThat(s.segmenter.position()).isEqualTo(2 * RATE / 10);
  }

  @Test
  void aHugeSequenceJumpIsABadSequence() {
    ChunkRecord c = inOrder().get(0);
    c.sequence = 10_000_001;
    assembler.onChunk(s, c, 1000, Long.MIN_VALUE, out);
    assertThat(out.deadLetters).singleElement().satisfies(d -> {
      assertThat(d.kind).isEqualTo(DeadLetterKind.BAD_SEQUENCE);
      assertThat(d.message).isEqualTo("sequence 10000001 of call-1/customer is 10000001 ahead of the expected 0;"
          + " at most 10000000 is accepted (max-sequence-jump)");
    });
    assertThat(s.pending).isEmpty();
    c.sequence = 10_000_000;
    assembler.onChunk(s, c, 1000, Long.MIN_VALUE, out);
    assertThat(s.pending).containsOnlyKeys(10_000_000L);
  }

  @Test
  void chunksFarBehindTheWatermarkAreLate() {
    ChannelAssemblySettings strict = new ChannelAssemblySettings(RATE, 9.0, -50.0, 500, 100, 400, 4353, 8, 2000, 10_000, 60_000,
        600_000, 5_000, 10_000_000, 1 << 20, 10_000);
    ChannelAssembler strictAssembler = new ChannelAssembler(strict);
    ChunkRecord c = inOrder().get(0);
    strictAssembler.onChunk(s, c, 1000, c.captureTimestamp + 5_000, out);
    assertThat(out.deadLetters).isEmpty();
    strictAssembler.onChunk(s, inOrder().get(1), 1000, c.captureTimestamp + 5_101, out);
    assertThat(out.deadLetters).singleElement().satisfies(d -> assertThat(d.message)
        .isEqualTo("chunk 1 of call-1/customer was captured 5001 ms before the watermark; the allowed lateness is 5000 ms"));
    // no watermark yet: the wall clock tells a chunk captured long ago
    ChunkRecord old = inOrder().get(2);
    strictAssembler.onChunk(s, old, old.captureTimestamp + 5_001, Long.MIN_VALUE, out);
    assertThat(out.deadLetters).hasSize(2).last().satisfies(d -> assertThat(d.message)
        .isEqualTo("chunk 2 of call-1/customer was captured 5001 ms before now; the allowed lateness is 5000 ms"));
  }
}
