package dev.ser.stream.assembly;

/**
 * One utterance found in a channel, resampled to the rate of the model its stream is routed to. Not final: the name savepoints of
 * the build before the package split recorded is a subclass ({@code dev.ser.stream.internal}).
 */
public class UtteranceRecord {
  public String callId;
  public String channel;
  public int index;
  /** Event time of the first sample and just after the last one, ms since the epoch. */
  public long startTime;
  public long endTime;
  public float[] samples;
  /** Wall-clock time at which the job closed the utterance, for the latency figures. */
  public long closedAtMs;
  /** The traceparent of the chunk whose processing ended this utterance, or null. */
  public String traceparent;
  /** The rate of {@link #samples}: the features' rate of the model that scores it; 0 (older records): the job's first. */
  public int sampleRate;

  public UtteranceRecord() {}

  /**
   * The utterance's id and Kafka key: call id, channel and index joined by '/', with '%' and '/'
   * inside the call id and channel written as %25 and %2F, so two utterances never share an id.
   */
  public String utteranceId() {
    return escape(callId) + "/" + escape(channel) + "/" + index;
  }

  /** One part of an id, with '%' and '/' written as %25 and %2F so ids stay unambiguous. */
  public static String escape(String part) {
    return part.indexOf('%') < 0 && part.indexOf('/') < 0 ? part
        : part.replace("%", "%25").replace("/", "%2F");
  }

  @Override
  public String toString() {
    return "Utterance{" + utteranceId() + " " + startTime + ".." + endTime + ", " + samples.length + " samples}";
  }
}
