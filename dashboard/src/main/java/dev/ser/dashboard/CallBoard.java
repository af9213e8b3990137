package dev.ser.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.schemas.AlertStatus;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.ChannelSummary;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.ClassShare;
import dev.ser.schemas.EmotionEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the supervisor page shows, kept in memory only: the live calls with their utterances and
 * alerts, and the calls that ended (their summary arrived) within the window. Fed by the topic
 * reader, read by the web server; every method is synchronized (one writer, a few readers).
 *
 * <p>A call is live from its first event or alert until its summary arrives; then it is "recently
 * ended" for {@code windowMs}. A live call that hears nothing for {@code windowMs} ends too, marked
 * as having no summary. Events are keyed by utterance id, so a duplicate (at-least-once delivery)
 * replaces its first copy instead of adding a mark. Times in the call count from the call's start
 * as its summary gives it, or, before the summary, from the earliest utterance seen.
 */
public final class CallBoard {

  /** One utterance's event, as drawn. */
  record Mark(String utteranceId, String channel, int index, long startMs, long endMs, String label, double confidence,
      boolean uncertain, double negative, Map<String, Double> scores, String model) {}

  /** One alert episode: raised, and cleared when its CLEARED record arrived. */
  static final class AlertView {
    final String alertId;
    final String channel;
    String rule;
    double score;
    double threshold;
    String utteranceId;
    long timeInCallMs;
    boolean cleared;

    AlertView(String alertId, String channel) {
      this.alertId = alertId;
      this.channel = channel;
    }
  }

  static final class CallView {
    final String callId;
    final Map<String, Mark> marks = new LinkedHashMap<>(); // by utterance id
    final Map<String, AlertView> alerts = new LinkedHashMap<>(); // by alert id
    long lastUpdateMs;
    long endedAtMs = -1;
    CallSummary summary;
    String endReason;

    CallView(String callId) {
      this.callId = callId;
    }

    long callStartMs() {
      if (summary != null && summary.getStartTime() != null) {
        return summary.getStartTime().toEpochMilli();
      }
      return marks.values().stream().mapToLong(Mark::startMs).min().orElse(0);
    }

    boolean hasOpenAlert() {
      return alerts.values().stream().anyMatch(a -> !a.cleared && a.rule != null);
    }

    Mark latest() {
      return marks.values().stream().max(Comparator.comparingLong(Mark::endMs)).orElse(null);
    }
  }

  /** Marks per live call on the board (the call's own page has them all). */
  static final int MARKS_ON_BOARD = 24;

  private final long windowMs;
  private final int maxCalls;
  private final Set<String> negativeLabels;
  private final Map<String, CallView> live = new LinkedHashMap<>();
  private final Map<String, CallView> ended = new LinkedHashMap<>(); // oldest end first
  private final Map<String, Long> undecodable = new TreeMap<>();
  private String readerProblem;
  private long version;

  /**
   * @param windowMs       how long an ended call stays listed, and how long a silent live call waits for its summary
   * @param maxCalls       at most this many live calls and this many ended ones (the oldest go first)
   * @param negativeLabels labels whose probabilities add up to an utterance's negative affect
   */
  public CallBoard(long windowMs, int maxCalls, Set<String> negativeLabels) {
    if (windowMs < 1 || maxCalls < 1 || negativeLabels.isEmpty()) {
      throw new IllegalArgumentException("need a window of at least 1 ms, room for at least one call and at least one"
          + " negative label, got " + windowMs + " ms, " + maxCalls + " calls, " + negativeLabels);
    }
    this.windowMs = windowMs;
    this.maxCalls = maxCalls;
    this.negativeLabels = Set.copyOf(negativeLabels);
  }

  /** Changes with every update: the server pushes a new snapshot when it moved. */
  public synchronized long version() {
    return version;
  }

  public synchronized void onEvent(EmotionEvent e, long nowMs) {
    CallView c = call(e.getCallId().toString(), nowMs);
    double negative = 0;
    Map<String, Double> scores = new LinkedHashMap<>();
    for (ClassScore s : e.getScores()) {
      scores.put(s.getLabel().toString(), (double) s.getScore());
      if (negativeLabels.contains(s.getLabel().toString())) {
        negative += s.getScore();
      }
    }
    String id = e.getUtteranceId().toString();
    c.marks.put(id, new Mark(id, e.getChannel().toString(), e.getUtteranceIndex(), e.getStartTime().toEpochMilli(),
        e.getEndTime().toEpochMilli(), e.getLabel().toString(), e.getConfidence(), e.getUncertain(), negative, scores,
        e.getModelName() + " " + e.getModelVersion()));
    version++;
  }

  public synchronized void onAlert(CallAlert a, long nowMs) {
    CallView c = call(a.getCallId().toString(), nowMs);
    AlertView v = c.alerts.computeIfAbsent(a.getAlertId().toString(), id -> new AlertView(id, a.getChannel().toString()));
    if (a.getStatus() == AlertStatus.CLEARED) {
      v.cleared = true;
    } else {
      // RAISED (or a status this page does not know, shown as raised)
      v.rule = a.getRule().name();
      v.score = a.getScore();
      v.threshold = a.getThreshold();
      v.timeInCallMs = a.getTimeInCallMs();
      List<String> ids = a.getUtteranceIds();
      v.utteranceId = ids.isEmpty() ? null : ids.get(ids.size() - 1); // the utterance that set it off
    }
    version++;
  }

  public synchronized void onSummary(CallSummary s, long nowMs) {
    String id = s.getCallId().toString();
    CallView c = live.remove(id);
    if (c == null) {
      c = ended.remove(id);
    }
    if (c == null) {
      c = new CallView(id);
    }
    c.summary = s;
    c.endReason = s.getEndReason().toString();
    c.endedAtMs = nowMs;
    c.lastUpdateMs = nowMs;
    ended.put(id, c);
    trim(ended);
    version++;
  }

  /** Why the page is not reading Kafka (shown on it), or null when it reads again. */
  public synchronized void onReaderProblem(String problem) {
    if (!java.util.Objects.equals(problem, readerProblem)) {
      readerProblem = problem;
      version++;
    }
  }

  /** A record of {@code topic} that could not be decoded: skipped and counted. */
  public synchronized void onUndecodable(String topic) {
    undecodable.merge(topic, 1L, Long::sum);
    version++;
  }

  /** Ends live calls silent for the window, forgets ended calls older than it. */
  public synchronized void evict(long nowMs) {
    boolean changed = false;
    for (Iterator<CallView> it = live.values().iterator(); it.hasNext();) {
      CallView c = it.next();
      if (nowMs - c.lastUpdateMs >= windowMs) {
        it.remove();
        c.endedAtMs = nowMs;
        c.endReason = "no summary within the window";
        ended.put(c.callId, c);
        changed = true;
      }
    }
    for (Iterator<CallView> it = ended.values().iterator(); it.hasNext();) {
      if (nowMs - it.next().endedAtMs >= windowMs) {
        it.remove();
        changed = true;
      }
    }
    changed |= trim(ended);
    if (changed) {
      version++;
    }
  }

  private CallView call(String callId, long nowMs) {
    CallView c = live.get(callId);
    if (c == null) {
      c = ended.get(callId); // a late event or alert of a call that already ended stays with it
    }
    if (c == null) {
      c = new CallView(callId);
      live.put(callId, c);
      trim(live);
    }
    c.lastUpdateMs = nowMs;
    return c;
  }

  private boolean trim(Map<String, CallView> calls) {
    boolean trimmed = false;
    Iterator<CallView> it = calls.values().iterator();
    while (calls.size() > maxCalls && it.hasNext()) {
      it.next();
      it.remove();
      trimmed = true;
    }
    return trimmed;
  }

  /** The board: open alerts, live calls (those with an open alert first, then the most recent), ended calls. */
  public synchronized ObjectNode snapshot(ObjectMapper json) {
    ObjectNode root = json.createObjectNode();
    root.put("version", version);
    ArrayNode alerts = root.putArray("openAlerts");
    List<CallView> calls = new ArrayList<>(live.values());
    calls.sort(Comparator.comparing((CallView c) -> !c.hasOpenAlert()).thenComparing(c -> -c.lastUpdateMs));
    ArrayNode rows = root.putArray("live");
    for (CallView c : calls) {
      for (AlertView a : c.alerts.values()) {
        if (!a.cleared && a.rule != null) {
          alertJson(alerts.addObject().put("callId", c.callId), a);
        }
      }
      ObjectNode row = rows.addObject().put("callId", c.callId).put("openAlert", c.hasOpenAlert());
      Mark now = c.latest();
      if (now != null) {
        row.put("channel", now.channel()).put("label", now.label()).put("confidence", now.confidence())
            .put("negative", now.negative()).put("uncertain", now.uncertain());
      }
      row.put("utterances", c.marks.size());
      marksJson(row.putArray("marks"), c, MARKS_ON_BOARD);
    }
    ArrayNode done = root.putArray("ended");
    List<CallView> endedCalls = new ArrayList<>(ended.values());
    java.util.Collections.reverse(endedCalls); // newest first
    for (CallView c : endedCalls) {
      ObjectNode e = done.addObject().put("callId", c.callId).put("endReason", c.endReason).put("endedAt", c.endedAtMs);
      summaryJson(e, c);
    }
    ObjectNode skipped = root.putObject("undecodable");
    undecodable.forEach(skipped::put);
    root.put("undecodableTotal", undecodable.values().stream().mapToLong(Long::longValue).sum());
    root.put("readerProblem", readerProblem);
    return root;
  }

  /** One call in full (live or recently ended), or empty when the board does not have it. */
  public synchronized Optional<ObjectNode> call(String callId, ObjectMapper json) {
    CallView c = live.get(callId);
    boolean isLive = c != null;
    if (c == null) {
      c = ended.get(callId);
    }
    if (c == null) {
      return Optional.empty();
    }
    ObjectNode root = json.createObjectNode().put("callId", c.callId).put("live", isLive);
    if (!isLive) {
      root.put("endReason", c.endReason);
      summaryJson(root, c);
    }
    Set<String> channels = new TreeSet<>();
    Set<String> models = new TreeSet<>();
    c.marks.values().forEach(m -> {
      channels.add(m.channel());
      models.add(m.model());
    });
    channels.forEach(root.putArray("channels")::add);
    models.forEach(root.putArray("models")::add);
    marksJson(root.putArray("marks"), c, 0);
    ArrayNode alerts = root.putArray("alerts");
    for (AlertView a : c.alerts.values()) {
      if (a.rule != null) {
        alertJson(alerts.addObject(), a).put("cleared", a.cleared);
      }
    }
    return Optional.of(root);
  }

  /**
   * The call's marks in time order: all of them with their probabilities ({@code last} 0), or, for
   * the board that is pushed to every page, only the last {@code last} without probabilities, so a
   * long call does not make every push longer.
   */
  private void marksJson(ArrayNode out, CallView c, int last) {
    long start = c.callStartMs();
    Set<String> alertAt = new java.util.HashSet<>();
    c.alerts.values().forEach(a -> {
      if (a.utteranceId != null) {
        alertAt.add(a.utteranceId);
      }
    });
    List<Mark> sorted = c.marks.values().stream()
        .sorted(Comparator.comparingLong(Mark::startMs).thenComparing(Mark::channel)).toList();
    for (Mark m : last > 0 ? sorted.subList(Math.max(0, sorted.size() - last), sorted.size()) : sorted) {
      ObjectNode o = out.addObject().put("utteranceId", m.utteranceId()).put("channel", m.channel())
          .put("index", m.index()).put("fromMs", m.startMs() - start).put("toMs", m.endMs() - start)
          .put("label", m.label()).put("confidence", round3(m.confidence())).put("uncertain", m.uncertain())
          .put("negative", round3(m.negative())).put("alert", alertAt.contains(m.utteranceId()));
      if (last == 0) {
        ObjectNode scores = o.putObject("scores");
        m.scores().forEach(scores::put);
      }
    }
  }

  /** Three decimals are what a person reads (the page shows two): shorter pushes. */
  static double round3(double x) {
    return Math.round(x * 1000) / 1000.0;
  }

  private static ObjectNode alertJson(ObjectNode o, AlertView a) {
    return o.put("alertId", a.alertId).put("channel", a.channel).put("rule", a.rule).put("score", a.score)
        .put("threshold", a.threshold).put("utteranceId", a.utteranceId).put("timeInCallMs", a.timeInCallMs);
  }

  private static void summaryJson(ObjectNode o, CallView c) {
    if (c.summary == null) {
      return;
    }
    CallSummary s = c.summary;
    if (s.getStartTime() != null && s.getEndTime() != null) {
      o.put("durationMs", s.getEndTime().toEpochMilli() - s.getStartTime().toEpochMilli());
    }
    ArrayNode channels = o.putArray("summary");
    for (ChannelSummary ch : s.getChannels()) {
      ObjectNode n = channels.addObject().put("channel", ch.getChannel().toString()).put("scored", ch.getScored())
          .put("utterances", ch.getUtterances()).put("speechMs", ch.getSpeechMs()).put("events", ch.getEvents())
          .put("uncertainEvents", ch.getUncertainEvents()).put("missingEvents", ch.getMissingEvents())
          .put("peakNegativeScore", ch.getPeakNegativeScore()).put("alertsRaised", ch.getAlertsRaised());
      ObjectNode shares = n.putObject("shares");
      for (ClassShare share : ch.getClassShares()) {
        shares.put(share.getLabel().toString(), share.getShare());
      }
    }
  }
}
