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
    channels.restored(2);
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
}
