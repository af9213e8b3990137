package dev.ser.stream.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the call stage remembers about one call, kept as one value (written as JSON by the
 * Flink wiring, so it can gain fields without breaking savepoints). Changed only by
 * {@link CallAnalytics}.
 */
public class CallState {
  public String callId;
  /** Channels in the order first heard of. */
  public Map<String, Channel> channels = new LinkedHashMap<>();
  /** Event time of the earliest utterance start known, or -1. */
  public long firstStart = -1;
  /** Event time of the latest utterance end known, or -1. */
  public long lastEnd = -1;
  /** Job time of the last event or channel end. */
  public long lastSeenMs;
  /** Job time at which every known channel had ended (the latest end), or -1 while one is open. */
  public long allEndedAtMs = -1;
  /** Event time of the end of the latest-ending channel that ended, or -1. */
  public long endedAt = -1;
  /** The Flink wiring's processing-time timer (wall time) and event-time timer, or -1. */
  public long timerAtMs = -1;
  public long eventTimerAt = -1;

  /** One channel of the call. */
  public static class Channel {
    public String channel;
    public boolean scored;
    public boolean ended;
    /** Utterances the channel gave in all, from its end notice (events may come before or after it). */
    public int utterances;
    /** Utterance notices so far, and their summed duration. */
    public int found;
    public long speechMs;
    public int events;
    public int uncertainEvents;
    public long uncertainMs;
    /** Certain speech time per label, in the model's class order. */
    public Map<String, Long> certainMs = new LinkedHashMap<>();
    /** The negative-affect score, or -1 before the first certain utterance. */
    public double score = -1;
    public double peakScore;
    public String peakUtteranceId;
    public long peakEnd = -1;
    /** Certain utterances within the rise window, oldest first. */
    public List<Point> recent = new ArrayList<>();
    /** Utterances of the current run with the score above raise-above. */
    public List<String> run = new ArrayList<>();
    public boolean episodeOpen;
    public String episodeRule;
    /** Episodes raised so far; the open one's number is episodes - 1. */
    public int episodes;
    public List<String> models = new ArrayList<>();
  }

  /** The score after one certain utterance. */
  public static class Point {
    public String utteranceId;
    public long end;
    public double score;

    public Point() {}

    public Point(String utteranceId, long end, double score) {
      this.utteranceId = utteranceId;
      this.end = end;
      this.score = score;
    }
  }

  public CallState() {}

  public CallState(String callId) {
    this.callId = callId;
  }
}
