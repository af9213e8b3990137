package dev.ser.stream.call;

/**
 * A channel closed (end of stream, idle, or closed for room), as the segmentation stage tells the
 * call stage: what it found in the channel, scored or not. Flink POJO.
 */
public class ChannelEnd {
  public String callId;
  public String channel;
  /** Utterances the channel gave. */
  public int utterances;
  /** Their summed duration, ms. */
  public long speechMs;
  /** Event time of the first utterance's start, or -1 without utterances. */
  public long firstStart = -1;
  /** Event time of the last utterance's end, or -1 without utterances. */
  public long lastEnd = -1;
  /** Why it closed. */
  public String reason;

  public ChannelEnd() {}

  public ChannelEnd(String callId, String channel, int utterances, long speechMs, long firstStart, long lastEnd,
      String reason) {
    this.callId = callId;
    this.channel = channel;
    this.utterances = utterances;
    this.speechMs = speechMs;
    this.firstStart = firstStart;
    this.lastEnd = lastEnd;
    this.reason = reason;
  }
}
