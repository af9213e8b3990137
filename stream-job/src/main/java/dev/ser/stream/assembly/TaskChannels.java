package dev.ser.stream.assembly;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import java.io.Serializable;

/**
 * The channels of one parallel task: each channel's {@link ChannelAssembler}, the per-task limit
 * of open channels and the count it compares with. A task holds at most {@code maxOpenChannels}
 * open channels (closed ones, kept only to refuse late chunks, do not count): the first chunk of
 * one more channel is a {@code TOO_MANY_CHANNELS} dead letter and no state is created for it, so a
 * flood of call ids cannot exhaust the TaskManager's memory.
 *
 * <p>The caller keeps each channel's {@link ChannelState} (Flink keyed state) and its timers; after a
 * restore or a rescale it reports the open channels it was given with {@link #restored}.
 */
public final class TaskChannels implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ChannelAssembler assembler;
  private final int maxOpenChannels;
  private transient long openChannels;

  public TaskChannels(ChannelAssemblySettings settings, int maxOpenChannels) {
    if (maxOpenChannels < 1) {
      throw new IllegalArgumentException("maxOpenChannels must be >= 1, got " + maxOpenChannels);
    }
    this.assembler = new ChannelAssembler(settings);
    this.maxOpenChannels = maxOpenChannels;
  }

  /** Open channels of this task (a gauge, and what the limit compares with). */
  public long openChannels() {
    return openChannels;
  }

  /** The open channels found in restored state (after a restart a task may own other channels). */
  public void restored(long open) {
    openChannels = open;
  }

  /**
   * One chunk of the channel whose state is {@code s} ({@code null} for a channel not seen yet).
   *
   * @return the state to keep, or {@code null} when nothing is kept: the chunk was refused before a
   *     channel opened, or it closed the channel without any utterance (so no id to protect)
   */
  public ChannelState onChunk(ChannelState s, ChunkRecord chunk, long now, long watermark,
      ChannelAssembler.Output out) {
    if (s == null) {
      if (openChannels >= maxOpenChannels) {
        out.deadLetter(DeadLetterRecord.of(chunk, DeadLetterKind.TOO_MANY_CHANNELS, "chunk " + chunk.sequence
            + " of " + chunk.callId + "/" + chunk.channel + " would open a new channel, but this task already has "
            + openChannels + " open channels (max-channels-per-task=" + maxOpenChannels + "); raise"
            + " max-channels-per-task or the job's parallelism, or look for a client inventing call ids", now));
        return null;
      }
      s = new ChannelState(chunk.callId, chunk.channel);
      openChannels++;
    }
    boolean isNew = !s.started && s.pending.isEmpty() && !s.closed;
    boolean wasOpen = !s.closed;
    assembler.onChunk(s, chunk, now, watermark, out);
    if (isNew && !s.started && s.pending.isEmpty() && !s.closed) {
      openChannels--; // its first chunk was refused (late, too far ahead): no channel to keep
      return null;
    }
    if (wasOpen && s.closed) {
      openChannels--;
      if (s.closedWithoutUtterances) {
        return null; // no utterance id to protect: nothing to remember
      }
    }
    return s;
  }

  /**
   * A timer of the channel fired: gaps that waited too long are filled, an idle channel closes.
   *
   * @return the state to keep, or {@code null} when the channel's state goes: its retention is over,
   *     or it closed now without any utterance
   */
  public ChannelState onTimer(ChannelState s, long now, ChannelAssembler.Output out) {
    boolean wasOpen = !s.closed;
    boolean gone = assembler.onTimer(s, now, out);
    if (wasOpen && (s.closed || gone)) {
      openChannels--;
    }
    return gone || (wasOpen && s.closed && s.closedWithoutUtterances) ? null : s;
  }

  /** When the channel next needs a timer (wall clock, ms). */
  public long nextDeadline(ChannelState s) {
    return assembler.nextDeadline(s);
  }
}
