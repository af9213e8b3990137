package dev.ser.stream.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.chunk.ChunkRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-task channel limit and open/closed bookkeeping, without Flink. */
class TaskChannelsTest {

  static List<ChunkRecord> shortChannel(String callId) {
    return TestAudio.chunks(callId, "customer", new float[2204], 22050, 50, SampleEncoding.PCM_S16LE); // 2 chunks of 1102
  }

  @Test
  void aChannelBeyondTheLimitIsADeadLetterWithNoStateAndAClosedOneFreesItsPlace() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 1);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    List<ChunkRecord> a = shortChannel("a");
    List<ChunkRecord> b = shortChannel("b");

    ChannelState sa = channels.onChunk(null, a.get(0), 10, Long.MIN_VALUE, out);
    assertThat(sa).isNotNull();
    assertThat(sa.callId).isEqualTo("a");
    assertThat(channels.openChannels()).isEqualTo(1);

    assertThat(channels.onChunk(null, b.get(0), 20, Long.MIN_VALUE, out)).as("no state for a refused channel").isNull();
    assertThat(out.deadLetters).singleElement().satisfies(d -> {
      assertThat(d.kind).isEqualTo(DeadLetterKind.TOO_MANY_CHANNELS);
      assertThat(d.message).isEqualTo("chunk 0 of b/customer would open a new channel, but this task already has 1"
          + " open channels (max-channels-per-task=1); raise max-channels-per-task or the job's parallelism, or look"
          + " for a client inventing call ids");
    });
    assertThat(channels.openChannels()).isEqualTo(1);

    // end of stream without an utterance: closed, and nothing to keep (no utterance id to protect)
    assertThat(channels.onChunk(sa, a.get(1), 30, Long.MIN_VALUE, out)).isNull();
    assertThat(sa.closed).isTrue();
    assertThat(channels.openChannels()).isZero();
    assertThat(channels.onChunk(null, b.get(0), 40, Long.MIN_VALUE, out)).isNotNull();
    assertThat(channels.openChannels()).isEqualTo(1);
  }

  /** One second of a loud tone (speech to the detector), no end of stream. */
  static List<ChunkRecord> speaking(String callId) {
    float[] x = new float[22050];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(i * 0.07));
    }
    List<ChunkRecord> chunks = TestAudio.chunks(callId, "customer", x, 22050, 100, SampleEncoding.PCM_S16LE);
    chunks.get(chunks.size() - 1).endOfStream = false;
    return chunks;
  }

  @Test
  void anIdleChannelClosesOnItsTimerAndIsForgottenAfterRetention() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 5);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState s = null;
    for (ChunkRecord c : speaking("a")) {
      s = channels.onChunk(s, c, 0, Long.MIN_VALUE, out);
    }
    long idle = ChannelAssemblerTest.CONFIG.idleTimeoutMs();
    assertThat(channels.nextDeadline(s)).isEqualTo(idle);
    assertThat(channels.onTimer(s, idle, out)).as("kept: its utterance id must not come again").isSameAs(s);
    assertThat(out.utterances).extracting(UtteranceRecord::utteranceId).containsExactly("a/customer/0");
    assertThat(s.closed).isTrue();
    assertThat(channels.openChannels()).isZero();
    long retention = ChannelAssemblerTest.CONFIG.closedRetentionMs();
    assertThat(channels.nextDeadline(s)).isEqualTo(idle + retention);
    assertThat(channels.onTimer(s, idle + retention, out)).as("state to clear").isNull();
    assertThat(channels.openChannels()).isZero();
  }

  @Test
  void anIdleChannelWithoutUtterancesIsForgottenAtOnce() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 5);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState s = channels.onChunk(null, shortChannel("a").get(0), 0, Long.MIN_VALUE, out);
    assertThat(channels.openChannels()).isEqualTo(1);
    assertThat(channels.onTimer(s, ChannelAssemblerTest.CONFIG.idleTimeoutMs(), out)).isNull();
    assertThat(channels.openChannels()).isZero();
    assertThat(out.utterances).isEmpty();
  }

  @Test
  void restoredChannelsCountAgainstTheLimit() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 2);
    channels.restored(List.of(new ChannelState("a", "customer"), new ChannelState("b", "customer")));
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    assertThat(channels.onChunk(null, shortChannel("c").get(0), 0, Long.MIN_VALUE, out)).isNull();
    assertThat(out.deadLetters).extracting(d -> d.kind).containsExactly(DeadLetterKind.TOO_MANY_CHANNELS);
    assertThatThrownBy(() -> new TaskChannels(ChannelAssemblerTest.CONFIG, 0))
        .hasMessage("maxOpenChannels must be >= 1, got 0");
  }

  @Test
  void aNewChannelWhoseFirstChunkIsRefusedKeepsNoState() {
    // before: the state stayed, open, with no activity time, and its idle timer closed it at once
    // with "no chunk for 1700000000000 ms"
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 5);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChunkRecord far = shortChannel("a").get(0);
    far.sequence = 20_000_000; // beyond max-sequence-jump from 0
    assertThat(channels.onChunk(null, far, 1_700_000_000_000L, Long.MIN_VALUE, out)).isNull();
    assertThat(out.deadLetters).extracting(d -> d.kind).containsExactly(DeadLetterKind.BAD_SEQUENCE);
    assertThat(channels.openChannels()).isZero();
  }

  static final long NO_WATERMARK = Long.MIN_VALUE;

  /** One second of a loud tone, then {@code silenceMs} of silence; end of stream when {@code ended}. */
  static List<ChunkRecord> spoke(String callId, int silenceMs, boolean ended) {
    float[] x = new float[22050 + 22050 * silenceMs / 1000];
    for (int i = 0; i < 22050; i++) {
      x[i] = (float) (0.3 * Math.sin(i * 0.07));
    }
    List<ChunkRecord> chunks = TestAudio.chunks(callId, "customer", x, 22050, 100, SampleEncoding.PCM_S16LE);
    chunks.get(chunks.size() - 1).endOfStream = ended;
    return chunks;
  }

  static ChannelState feed(TaskChannels channels, List<ChunkRecord> chunks, long now, ChannelAssemblerTest.Collected out) {
    ChannelState s = null;
    for (ChunkRecord c : chunks) {
      s = channels.onChunk(s, c, now, NO_WATERMARK, out);
    }
    return s;
  }

  /**
   * Issue 15, item 4: a flood of calls that send a chunk and nothing more cannot lock real calls
   * out. At the limit, a new channel takes the place of the open channel heard from least
   * recently, if that one has not spoken (no utterance id to protect) and has sent nothing for
   * max-reorder-wait-ms; a live channel sends every 20-200 ms, so it is never the one closed.
   */
  @Test
  void aNewChannelTakesThePlaceOfTheLongestQuietOneThatHasNotSpoken() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 2, 100);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState a = channels.onChunk(null, shortChannel("a").get(0), 0, NO_WATERMARK, out);
    channels.onChunk(null, shortChannel("b").get(0), 500, NO_WATERMARK, out);
    long wait = ChannelAssemblerTest.CONFIG.maxReorderWaitMs();
    assertThat(channels.channelToClose(wait - 1)).as("a was heard from too recently").isNull();
    assertThat(channels.channelToClose(wait)).isEqualTo(ChunkRecord.streamKey("a", "customer"));
    assertThat(channels.closeForRoom(a, wait, out)).as("no utterance: nothing to keep").isNull();
    assertThat(a.closed).isTrue();
    assertThat(a.closedReason).isEqualTo("closed to make room for a new channel: no chunk for 2000 ms and no"
        + " utterance yet, while this task held max-channels-per-task=2 open channels");
    assertThat(channels.openChannels()).isEqualTo(1);
    assertThat(channels.onChunk(null, shortChannel("c").get(0), wait, NO_WATERMARK, out)).isNotNull();
    assertThat(out.deadLetters).isEmpty();
    assertThat(channels.closedForRoom()).isEqualTo(1);
    // b is now the quietest, heard from 1500 ms ago: no place for another
    assertThat(channels.channelToClose(wait)).isNull();
    assertThat(channels.onChunk(null, shortChannel("d").get(0), wait, NO_WATERMARK, out)).isNull();
    assertThat(out.deadLetters).extracting(d -> d.kind).containsExactly(DeadLetterKind.TOO_MANY_CHANNELS);
  }

  @Test
  void aChannelThatHasSpokenIsNeverClosedForRoom() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 1, 100);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState s = feed(channels, spoke("a", 1000, false), 0, out);
    assertThat(out.utterances).extracting(UtteranceRecord::utteranceId).containsExactly("a/customer/0");
    assertThat(s.closed).isFalse();
    assertThat(channels.channelToClose(ChannelAssemblerTest.CONFIG.idleTimeoutMs() - 1)).isNull();
  }

  @Test
  void aChannelClosedForRoomMidSpeechGivesItsUtteranceAndIsRemembered() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 1, 100);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState s = feed(channels, spoke("a", 0, false), 0, out); // the tone has not ended: no utterance yet
    assertThat(out.utterances).isEmpty();
    long wait = ChannelAssemblerTest.CONFIG.maxReorderWaitMs();
    assertThat(channels.channelToClose(wait)).isEqualTo(ChunkRecord.streamKey("a", "customer"));
    assertThat(channels.closeForRoom(s, wait, out)).as("kept: its utterance id must not come again").isSameAs(s);
    assertThat(out.utterances).extracting(UtteranceRecord::utteranceId).containsExactly("a/customer/0");
    assertThat(channels.openChannels()).isZero();
    assertThat(channels.closedChannels()).isEqualTo(1);
  }

  /**
   * Issue 15, item 4: closed channels that spoke are remembered for closed-retention-ms to refuse
   * their late chunks, but at most max-closed-channels-per-task of them; beyond it the one closed
   * longest ago is forgotten (counted; a chunk of it after that would start its stream again).
   */
  @Test
  void closedChannelsBeyondTheirLimitAreForgottenOldestFirst() {
    TaskChannels channels = new TaskChannels(ChannelAssemblerTest.CONFIG, 10, 2);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState a = feed(channels, spoke("a", 1000, true), 0, out);
    ChannelState b = feed(channels, spoke("b", 1000, true), 10, out);
    assertThat(a.closed && b.closed).isTrue();
    assertThat(channels.closedChannels()).isEqualTo(2);
    assertThat(channels.channelToForget()).isNull();
    feed(channels, spoke("c", 1000, true), 20, out);
    assertThat(channels.channelToForget()).isEqualTo(ChunkRecord.streamKey("a", "customer"));
    channels.forgotten(ChunkRecord.streamKey("a", "customer"));
    assertThat(channels.channelToForget()).isNull();
    assertThat(channels.closedChannels()).isEqualTo(2);
    assertThat(channels.forgottenClosedChannels()).isEqualTo(1);
    // b's retention ends: it leaves the count
    assertThat(channels.onTimer(b, 10 + ChannelAssemblerTest.CONFIG.closedRetentionMs(), out)).isNull();
    assertThat(channels.closedChannels()).isEqualTo(1);
    assertThatThrownBy(() -> new TaskChannels(ChannelAssemblerTest.CONFIG, 1, 0))
        .hasMessage("maxClosedChannels must be >= 1, got 0");
  }

  @Test
  void aRestoreRebuildsWhichChannelsMayBeClosedForRoomOrForgotten() {
    TaskChannels before = new TaskChannels(ChannelAssemblerTest.CONFIG, 10, 10);
    ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
    ChannelState quiet = before.onChunk(null, shortChannel("quiet").get(0), 100, NO_WATERMARK, out);
    ChannelState spoken = feed(before, spoke("spoken", 1000, false), 0, out);
    ChannelState ended = feed(before, spoke("ended", 1000, true), 50, out);
    ChannelState older = feed(before, spoke("older", 1000, true), 40, out);
    TaskChannels after = new TaskChannels(ChannelAssemblerTest.CONFIG, 2, 1);
    after.restored(List.of(ended, quiet, spoken, older));
    assertThat(after.openChannels()).isEqualTo(2);
    assertThat(after.closedChannels()).isEqualTo(2);
    assertThat(after.channelToForget()).isEqualTo(ChunkRecord.streamKey("older", "customer"));
    assertThat(after.channelToClose(100 + ChannelAssemblerTest.CONFIG.maxReorderWaitMs()))
        .isEqualTo(ChunkRecord.streamKey("quiet", "customer"));
  }
}
