package dev.ser.stream.assembly;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.chunk.DeadLetterRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The channels of one parallel task: each channel's {@link ChannelAssembler}, and the two per-task
 * bounds that keep a flood of call ids from exhausting the TaskManager's memory or locking real
 * calls out.
 *
 * <ul>
 *   <li>At most {@code maxOpenChannels} open channels. At the limit, a new channel takes the place
 *       of the open channel heard from least recently, if that one has produced no utterance (no id
 *       of it to protect) and has sent nothing for {@code max-reorder-wait-ms}: it is closed as its
 *       idle timeout would close it ({@link #channelToClose}, {@link #closeForRoom}). A live
 *       channel sends every 20-200 ms, so a flood of calls that send one chunk and stop cannot
 *       take its place, and cannot keep a real call out for longer than that wait. Otherwise the
 *       new channel's chunk is a {@code TOO_MANY_CHANNELS} dead letter and no state is created.
 *   <li>At most {@code maxClosedChannels} closed channels remembered (a channel that spoke is kept
 *       {@code closed-retention-ms} after closing, so its late chunks are refused instead of
 *       reusing its utterance ids). Beyond it the one closed longest ago is forgotten
 *       ({@link #channelToForget}, {@link #forgotten}; counted): a chunk of it after that starts its
 *       stream again.
 * </ul>
 *
 * <p>The caller keeps each channel's {@link ChannelState} (Flink keyed state) and its timers, does
 * what {@link #channelToClose} and {@link #channelToForget} name under that channel's key, and after
 * a restore or a rescale reports the channels it was given with {@link #restored}. Keys are
 * {@link ChunkRecord#streamKey(String, String)}.
 */
public final class TaskChannels implements Serializable {

  private static final long serialVersionUID = 1L;
  /** Closed channels remembered per task unless configured otherwise (max-closed-channels-per-task). */
  public static final int DEFAULT_MAX_CLOSED_CHANNELS = 100_000;

  private final ChannelAssembler assembler;
  private final int maxOpenChannels;
  private final int maxClosedChannels;
  private transient long openChannels;
  /** Open channels without an utterance, least recently heard from first; the value is that time. */
  private transient LinkedHashMap<String, Long> quiet;
  /** Closed channels remembered, closed longest ago first. */
  private transient LinkedHashMap<String, Boolean> remembered;
  private transient long closedForRoom;
  private transient long forgottenClosedChannels;

  public TaskChannels(ChannelAssemblySettings settings, int maxOpenChannels) {
    this(settings, maxOpenChannels, DEFAULT_MAX_CLOSED_CHANNELS);
  }

  public TaskChannels(ChannelAssemblySettings settings, int maxOpenChannels, int maxClosedChannels) {
    if (maxOpenChannels < 1) {
      throw new IllegalArgumentException("maxOpenChannels must be >= 1, got " + maxOpenChannels);
    }
    if (maxClosedChannels < 1) {
      throw new IllegalArgumentException("maxClosedChannels must be >= 1, got " + maxClosedChannels);
    }
    this.assembler = new ChannelAssembler(settings);
    this.maxOpenChannels = maxOpenChannels;
    this.maxClosedChannels = maxClosedChannels;
    restored(List.of());
  }

  /** Open channels of this task (a gauge, and what the limit compares with). */
  public long openChannels() {
    return openChannels;
  }

  /** Closed channels remembered by this task (a gauge). */
  public long closedChannels() {
    return remembered.size();
  }

  /** Channels closed to make room for a new one, since this task started. */
  public long closedForRoom() {
    return closedForRoom;
  }

  /** Closed channels forgotten before their retention ended (the limit was reached), since this task started. */
  public long forgottenClosedChannels() {
    return forgottenClosedChannels;
  }

  /** The channels found in restored state (after a restart a task may own other channels). */
  public void restored(Iterable<ChannelState> states) {
    openChannels = 0;
    quiet = new LinkedHashMap<>();
    remembered = new LinkedHashMap<>();
    List<ChannelState> open = new ArrayList<>();
    List<ChannelState> closed = new ArrayList<>();
    for (ChannelState s : states) {
      (s.closed ? closed : open).add(s);
    }
    openChannels = open.size();
    open.sort(Comparator.comparingLong(s -> s.lastActivityMs));
    for (ChannelState s : open) {
      if (!hasSpoken(s)) {
        quiet.put(key(s), s.lastActivityMs);
      }
    }
    closed.sort(Comparator.comparingLong(s -> s.closedAtMs));
    for (ChannelState s : closed) {
      remembered.put(key(s), Boolean.TRUE);
    }
  }

  /**
   * One chunk of the channel whose state is {@code s} ({@code null} for a channel not seen yet).
   * For a new channel at the limit, first do what {@link #channelToClose} names.
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
    boolean spokeBefore = hasSpoken(s);
    assembler.onChunk(s, chunk, now, watermark, out);
    if (isNew && !s.started && s.pending.isEmpty() && !s.closed) {
      openChannels--; // its first chunk was refused (late, too far ahead): no channel to keep
      return null;
    }
    if (spokeBefore && !s.closed) {
      return s; // the common case, a chunk of a live channel that spoke: not among the quiet ones, nothing to move
    }
    return after(s, wasOpen, false);
  }

  /**
   * A timer of the channel fired: gaps that waited too long are filled, an idle channel closes.
   *
   * @return the state to keep, or {@code null} when the channel's state goes: its retention is over,
   *     or it closed now without any utterance
   */
  public ChannelState onTimer(ChannelState s, long now, ChannelAssembler.Output out) {
    boolean wasOpen = !s.closed;
    return after(s, wasOpen, assembler.onTimer(s, now, out));
  }

  /**
   * The open channel to close so that a new one fits, or {@code null}: the task is below its limit,
   * or every open channel has spoken or was heard from within max-reorder-wait-ms.
   */
  public String channelToClose(long now) {
    if (openChannels < maxOpenChannels || quiet.isEmpty()) {
      return null;
    }
    var eldest = quiet.entrySet().iterator().next();
    return now - eldest.getValue() >= assembler.config().maxReorderWaitMs() ? eldest.getKey() : null;
  }

  /**
   * Closes the channel {@link #channelToClose} named, as its idle timeout would (speech in progress
   * becomes its last utterance).
   *
   * @return the state to keep (it spoke: remembered like any closed channel), or {@code null}
   */
  public ChannelState closeForRoom(ChannelState s, long now, ChannelAssembler.Output out) {
    if (s.closed) {
      throw new IllegalArgumentException(key(s) + " is closed already");
    }
    assembler.closeNow(s, now, "closed to make room for a new channel: no chunk for " + (now - s.lastActivityMs)
        + " ms and no utterance yet, while this task held max-channels-per-task=" + maxOpenChannels
        + " open channels", out);
    closedForRoom++;
    return after(s, true, false);
  }

  /** The closed channel to forget now (more are remembered than the limit), or {@code null}. */
  public String channelToForget() {
    return remembered.size() > maxClosedChannels ? remembered.keySet().iterator().next() : null;
  }

  /** The caller dropped the state and timer of the closed channel {@link #channelToForget} named. */
  public void forgotten(String key) {
    if (remembered.remove(key) != null) {
      forgottenClosedChannels++;
    }
  }

  /** When the channel next needs a timer (wall clock, ms). */
  public long nextDeadline(ChannelState s) {
    return assembler.nextDeadline(s);
  }

  /** Bookkeeping after the assembler saw the channel; returns the state to keep or {@code null}. */
  private ChannelState after(ChannelState s, boolean wasOpen, boolean retentionOver) {
    String key = key(s);
    if (retentionOver) {
      remembered.remove(key);
      return null;
    }
    if (!s.closed) {
      quiet.remove(key);
      if (!hasSpoken(s)) {
        quiet.put(key, s.lastActivityMs); // now the most recently heard from
      }
      return s;
    }
    if (wasOpen) {
      openChannels--;
      quiet.remove(key);
      if (s.closedWithoutUtterances) {
        return null; // no utterance id to protect: nothing to remember
      }
      remembered.put(key, Boolean.TRUE);
    }
    return s;
  }

  private static boolean hasSpoken(ChannelState s) {
    return s.segmenter != null && s.segmenter.emittedUtterances() > 0;
  }

  private static String key(ChannelState s) {
    return ChunkRecord.streamKey(s.callId, s.channel);
  }
}
