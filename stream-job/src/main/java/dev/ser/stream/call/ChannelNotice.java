package dev.ser.stream.call;

/**
 * What the segmentation stage tells the call stage about a channel, scored or not: one utterance it
 * found ({@code end} false: its event times), or that the channel closed ({@code end} true: how
 * many utterances it gave, and why). Carries no audio. Flink POJO.
 */
public class ChannelNotice {
  public String callId;
  public String channel;
  /** False: one utterance; true: the channel closed. */
  public boolean end;
  /** The utterance's event times, ms since the epoch (utterance notices only). */
  public long start;
  public long finish;
  /** Event time of the end of the channel's audio, or -1 (end notices only). */
  public long at = -1;
  /** Utterances the channel gave in all (end notices only). */
  public int utterances;
  /** Why it closed (end notices only). */
  public String reason;

  public ChannelNotice() {}

  public static ChannelNotice utterance(String callId, String channel, long start, long finish) {
    ChannelNotice n = new ChannelNotice();
    n.callId = callId;
    n.channel = channel;
    n.start = start;
    n.finish = finish;
    return n;
  }

  public static ChannelNotice end(String callId, String channel, int utterances, long at, String reason) {
    ChannelNotice n = new ChannelNotice();
    n.callId = callId;
    n.channel = channel;
    n.end = true;
    n.utterances = utterances;
    n.at = at;
    n.reason = reason;
    return n;
  }
}
