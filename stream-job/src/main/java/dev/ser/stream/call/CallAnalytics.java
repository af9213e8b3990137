package dev.ser.stream.call;

import dev.ser.schemas.AlertRule;
import dev.ser.schemas.AlertStatus;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.ChannelSummary;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.ClassShare;
import dev.ser.schemas.EmotionEvent;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.scoring.ScoredChannels;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules from utterances to calls, on one {@link CallState} per call.
 *
 * <p><b>Score.</b> Per channel, an utterance's negative affect is the summed probability of the
 * negative labels; the channel's score is its exponentially weighted mean over the channel's
 * certain utterances ({@code score = a * negative + (1 - a) * score}, starting at the first one's).
 * An uncertain utterance (the event says so: its confidence was under call-uncertain-below) moves
 * nothing.
 *
 * <p><b>Alerts</b> (alert channels only), one episode at a time: SUSTAINED_NEGATIVE when the score
 * has been above {@code raiseAbove} after {@code sustainedUtterances} certain utterances in a row;
 * otherwise RISING_NEGATIVE when the score is more than {@code riseBy} above its lowest value after
 * the certain utterances that ended within {@code riseWithinMs} before this one. The episode is
 * CLEARED when the score falls under {@code clearBelow}; until then no rule fires again.
 *
 * <p><b>Summary</b> when every channel the call had ended and the events of their utterances
 * arrived, and no other channel of the call can still show up: the watermark passed the end of the
 * last channel (every upstream task has processed the call's audio up to there), or
 * {@code endGraceMs} went by (a watermark that stands still when traffic stops). With events still
 * missing, {@code summaryWaitMs} after the last end. After {@code idleTimeoutMs} without anything.
 */
public final class CallAnalytics implements Serializable {

  private static final long serialVersionUID = 1L;

  private final CallRules rules;
  private final ScoredChannels scored;

  public CallAnalytics(CallRules rules, ScoredChannels scored) {
    this.rules = rules;
    this.scored = scored;
  }

  public CallRules rules() {
    return rules;
  }

  /** One emotion event of the call; returns the alerts it raises or clears (none, or one). */
  public List<CallAlert> onEvent(CallState s, EmotionEvent e, long now) {
    s.lastSeenMs = now;
    long start = e.getStartTime().toEpochMilli();
    long end = e.getEndTime().toEpochMilli();
    s.firstStart = s.firstStart < 0 ? start : Math.min(s.firstStart, start);
    s.lastEnd = Math.max(s.lastEnd, end);
    CallState.Channel c = channel(s, e.getChannel().toString());
    c.events++;
    String model = e.getModelName() + "/" + e.getModelVersion();
    if (!c.models.contains(model)) {
      c.models.add(model);
    }
    for (ClassScore score : e.getScores()) {
      c.certainMs.putIfAbsent(score.getLabel().toString(), 0L);
    }
    if (e.getUncertain()) {
      c.uncertainEvents++;
      c.uncertainMs += end - start;
      return List.of();
    }
    c.certainMs.merge(e.getLabel().toString(), end - start, Long::sum);
    double negative = 0;
    for (ClassScore score : e.getScores()) {
      if (rules.negativeLabels().contains(score.getLabel().toString())) {
        negative += score.getScore();
      }
    }
    c.score = c.score < 0 ? negative : rules.smoothing() * negative + (1 - rules.smoothing()) * c.score;
    String id = e.getUtteranceId().toString();
    if (c.peakUtteranceId == null || c.score > c.peakScore) {
      c.peakScore = c.score;
      c.peakUtteranceId = id;
      c.peakEnd = end;
    }
    c.recent.removeIf(p -> p.end < end - rules.riseWithinMs());
    c.recent.add(new CallState.Point(id, end, c.score));
    if (c.score > rules.raiseAbove()) {
      c.run.add(id);
    } else {
      c.run.clear();
    }
    if (!rules.alertChannels().scores(c.channel)) {
      return List.of();
    }
    if (c.episodeOpen) {
      if (c.score < rules.clearBelow()) {
        c.episodeOpen = false;
        return List.of(alert(s, c, AlertStatus.CLEARED, AlertRule.valueOf(c.episodeRule), rules.clearBelow(),
            List.of(id), end));
      }
      return List.of();
    }
    if (c.run.size() >= rules.sustainedUtterances()) {
      return List.of(raise(s, c, AlertRule.SUSTAINED_NEGATIVE, rules.raiseAbove(),
          c.run.subList(c.run.size() - rules.sustainedUtterances(), c.run.size()), end));
    }
    int lowest = 0;
    for (int i = 1; i < c.recent.size(); i++) {
      if (c.recent.get(i).score < c.recent.get(lowest).score) {
        lowest = i;
      }
    }
    if (c.score - c.recent.get(lowest).score > rules.riseBy()) {
      List<String> ids = c.recent.subList(lowest, c.recent.size()).stream().map(p -> p.utteranceId).toList();
      return List.of(raise(s, c, AlertRule.RISING_NEGATIVE, rules.riseBy(), ids, end));
    }
    return List.of();
  }

  /** An utterance of the call (scored or not) was found, or one of its channels closed. */
  public void onNotice(CallState s, ChannelNotice n, long now) {
    s.lastSeenMs = now;
    CallState.Channel c = channel(s, n.channel);
    if (!n.end) {
      c.found++;
      c.speechMs += n.finish - n.start;
      s.firstStart = s.firstStart < 0 ? n.start : Math.min(s.firstStart, n.start);
      s.lastEnd = Math.max(s.lastEnd, n.finish);
      return;
    }
    c.ended = true;
    c.utterances = n.utterances;
    s.endedAt = Math.max(s.endedAt, n.at);
    s.allEndedAtMs = s.channels.values().stream().allMatch(ch -> ch.ended) ? now : -1;
  }

  /**
   * Why the call's summary is due at {@code now}, or empty: every channel ended and nothing is
   * missing, or the wait for missing events is over, or the call has been idle too long.
   */
  public Optional<String> summaryDue(CallState s, long now, long watermark) {
    if (s.allEndedAtMs >= 0) {
      int missing = s.channels.values().stream().mapToInt(this::missing).sum();
      if (missing == 0 && (watermark >= s.endedAt || now >= s.allEndedAtMs + rules.endGraceMs())) {
        return Optional.of("every channel ended");
      }
      if (now >= s.allEndedAtMs + rules.summaryWaitMs()) {
        return Optional.of("every channel ended; " + missing + " event(s) still missing after "
            + rules.summaryWaitMs() + " ms (call-summary-wait-ms)");
      }
    }
    if (now >= s.lastSeenMs + rules.idleTimeoutMs()) {
      return Optional.of("nothing for " + (now - s.lastSeenMs) + " ms (call-idle-timeout-ms " + rules.idleTimeoutMs()
          + ")");
    }
    return Optional.empty();
  }

  /** When, after {@code now}, {@link #summaryDue} may next become true (job time). */
  public long nextDeadline(CallState s, long now) {
    long next = s.lastSeenMs + rules.idleTimeoutMs();
    if (s.allEndedAtMs >= 0) {
      for (long t : new long[] {s.allEndedAtMs + rules.endGraceMs(), s.allEndedAtMs + rules.summaryWaitMs()}) {
        if (t > now) {
          next = Math.min(next, t);
        }
      }
    }
    return next;
  }

  /** The event time whose watermark may make the summary due, or -1 while a channel is open. */
  public long nextEventTimeDeadline(CallState s) {
    return s.allEndedAtMs >= 0 ? s.endedAt : -1;
  }

  /** The call's summary. */
  public CallSummary summarize(CallState s, String reason) {
    List<ChannelSummary> channels = new ArrayList<>();
    for (CallState.Channel c : s.channels.values()) {
      long certain = c.certainMs.values().stream().mapToLong(Long::longValue).sum();
      List<ClassShare> shares = new ArrayList<>();
      if (c.scored) {
        c.certainMs.forEach((label, ms) -> shares.add(new ClassShare(label, certain == 0 ? 0.0 : (double) ms / certain)));
      }
      channels.add(ChannelSummary.newBuilder().setChannel(c.channel).setScored(c.scored)
          .setUtterances(Math.max(Math.max(c.utterances, c.found), c.events)).setSpeechMs(c.speechMs).setEvents(c.events)
          .setMissingEvents(missing(c)).setUncertainEvents(c.uncertainEvents).setUncertainMs(c.uncertainMs)
          .setClassShares(shares).setPeakNegativeScore(c.peakUtteranceId == null ? 0.0 : c.peakScore)
          .setPeakNegativeUtteranceId(c.peakUtteranceId)
          .setPeakNegativeTimeInCallMs(c.peakUtteranceId == null ? null : c.peakEnd - s.firstStart)
          .setAlertsRaised(c.episodes).setModels(new ArrayList<>(c.models)).build());
    }
    return CallSummary.newBuilder().setCallId(s.callId).setEndReason(reason)
        .setStartTime(s.firstStart < 0 ? null : Instant.ofEpochMilli(s.firstStart))
        .setEndTime(s.lastEnd < 0 ? null : Instant.ofEpochMilli(s.lastEnd)).setChannels(channels).build();
  }

  /** Utterances of an ended scored channel without their event yet. */
  private int missing(CallState.Channel c) {
    return c.scored && c.ended ? Math.max(0, c.utterances - c.events) : 0;
  }

  private CallState.Channel channel(CallState s, String name) {
    return s.channels.computeIfAbsent(name, n -> {
      CallState.Channel c = new CallState.Channel();
      c.channel = n;
      c.scored = scored.scores(n);
      s.allEndedAtMs = -1; // a channel not heard of before is open until its end arrives
      return c;
    });
  }

  private CallAlert raise(CallState s, CallState.Channel c, AlertRule rule, double threshold, List<String> ids,
      long end) {
    List<String> cause = new ArrayList<>(ids); // ids may be a view of the run cleared below
    c.episodeOpen = true;
    c.episodeRule = rule.name();
    c.episodes++;
    c.run.clear();
    return alert(s, c, AlertStatus.RAISED, rule, threshold, cause, end);
  }

  private CallAlert alert(CallState s, CallState.Channel c, AlertStatus status, AlertRule rule, double threshold,
      List<String> ids, long end) {
    return CallAlert.newBuilder()
        .setAlertId(UtteranceRecord.escape(s.callId) + "/" + UtteranceRecord.escape(c.channel) + "/alert/"
            + (c.episodes - 1))
        .setCallId(s.callId).setChannel(c.channel).setStatus(status).setRule(rule).setScore(c.score)
        .setThreshold(threshold).setUtteranceIds(new ArrayList<>(ids)).setTime(Instant.ofEpochMilli(end))
        .setTimeInCallMs(end - s.firstStart).build();
  }
}
