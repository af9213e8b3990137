package dev.ser.stream;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every setting of the stream job, declared once as a typed Flink {@link ConfigOption} with its
 * default, its bounds and what it means. The command-line flags ({@code --max-batch-size 64}), the
 * keys of a properties file ({@code max-batch-size=64}), the same keys under {@code ser.} in the
 * Flink configuration, {@code ser stream --help}, the settings table of the stream job's README
 * ({@link #markdownTable()}, checked by a test) and the validation messages all come from this list.
 */
@PublicEvolving
public final class StreamJobOptions {

  /**
   * One setting: its option, description, the check of a parsed value, the words for what is
   * expected, and whether its value is secret (masked wherever settings are printed).
   */
  public record Spec<T>(ConfigOption<T> option, String description, Predicate<T> valid, String expected,
      boolean secret) {

    public String name() {
      return option.key();
    }

    /** The default as text, null for a required setting. */
    public String defaultText() {
      return option.hasDefaultValue() ? text(option.defaultValue()) : null;
    }

    static String text(Object value) {
      if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
        return Long.toString(d.longValue()); // 9, not 9.0
      }
      return String.valueOf(value);
    }
  }

  private static final Map<String, Spec<?>> SPECS = new LinkedHashMap<>();

  /**
   * Upper bound of the wall-clock waits (10^15 ms, about 31 700 years): deadlines computed from
   * them cannot overflow, and a test can wait out any real time.
   */
  public static final long MAX_WAIT_MS = 1_000_000_000_000_000L;

  public static final ConfigOption<String> BOOTSTRAP_SERVERS = define(ConfigOptions.key("bootstrap-servers").stringType().noDefaultValue(),
      "Kafka bootstrap servers, host:port[,host:port]",
      v -> !v.isBlank(), "host:port list");

  public static final ConfigOption<String> INPUT_TOPIC = define(ConfigOptions.key("input-topic").stringType().defaultValue("audio-chunks"),
      "topic of AudioChunk records",
      StreamJobOptions::isTopic, "a topic name");

  public static final ConfigOption<String> OUTPUT_TOPIC = define(ConfigOptions.key("output-topic").stringType().defaultValue("emotion-events"),
      "topic for EmotionEvent records",
      StreamJobOptions::isTopic, "a topic name");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC = define(ConfigOptions.key("dead-letter-topic").stringType().defaultValue("audio-dead-letters"),
      "topic for DeadLetter records",
      StreamJobOptions::isTopic, "a topic name");

  public static final ConfigOption<String> ALERT_TOPIC = define(ConfigOptions.key("alert-topic").stringType().defaultValue("call-alerts"),
      "topic for CallAlert records (escalation alerts, raised and cleared)",
      StreamJobOptions::isTopic, "a topic name");

  public static final ConfigOption<String> SUMMARY_TOPIC = define(ConfigOptions.key("summary-topic").stringType().defaultValue("call-summaries"),
      "topic for CallSummary records (one per call, when it ends)",
      StreamJobOptions::isTopic, "a topic name");

  public static final ConfigOption<String> DEAD_LETTER_VALUE = define(ConfigOptions.key("dead-letter-value").stringType().defaultValue("head"),
      "how much of a refused record's value (call audio: personal data) a dead letter keeps: none, head (the first"
          + " 64 bytes: Avro header, fingerprint, call id) or full (up to 512 KiB)",
      v -> v.equals("none") || v.equals("head") || v.equals("full"), "none, head or full");

  public static final ConfigOption<String> WIRE_FORMAT = define(ConfigOptions.key("wire-format").stringType().defaultValue("single-object"),
      "how events, alerts, summaries and dead letters are framed: single-object (Avro single-object encoding, no registry"
          + " needed) or confluent (a zero byte and the schema id of schema-registry-url, as registry serializers write);"
          + " chunks are read in either framing",
      v -> v.equals("single-object") || v.equals("confluent"), "single-object or confluent");

  public static final ConfigOption<String> SCHEMA_REGISTRY_URL = define(ConfigOptions.key("schema-registry-url").stringType().defaultValue(""),
      "a schema registry's REST API (Confluent's; Apicurio: .../apis/ccompat/v7); needed by wire-format confluent and"
          + " to read Confluent-framed chunks; empty = none",
      v -> v.isEmpty() || v.matches("https?://.+"), "empty or an http(s) URL");

  public static final ConfigOption<Boolean> SCHEMA_REGISTRY_AUTO_REGISTER = define(ConfigOptions.key("schema-registry-auto-register").booleanType().defaultValue(true),
      "whether the job registers its output schemas under TOPIC-value itself; false: they must be registered, and a"
          + " missing one stops the job with the subject's name",
      v -> true, "true or false");

  public static final ConfigOption<Long> SCHEMA_REGISTRY_TIMEOUT_MS = define(ConfigOptions.key("schema-registry-timeout-ms").longType().defaultValue(5000L),
      "the longest one request to the schema registry may take (asked once per schema, then cached)",
      between(1L, MAX_WAIT_MS), "an integer >= 1");

  public static final ConfigOption<String> SCORE_CHANNELS = define(ConfigOptions.key("score-channels").stringType().defaultValue(dev.ser.stream.scoring.ScoredChannels.DEFAULT),
      "channels whose utterances reach the model, comma-separated, or * for all; the others are segmented but never"
          + " scored. Customer only by default: inferring the emotions of people at work (agents) is prohibited in the"
          + " EU (AI Act Art. 5(1)(f)) except for medical or safety reasons; see docs/privacy.md",
      StreamJobOptions::isChannelList, "channel names, comma-separated, or *");

  public static final ConfigOption<String> CALL_NEGATIVE_LABELS = define(ConfigOptions.key("call-negative-labels").stringType()
          .defaultValue(String.join(",", dev.ser.stream.call.CallRules.DEFAULT_NEGATIVE)),
      "labels whose probabilities add up to an utterance's negative affect, comma-separated (the model's label names)",
      v -> !labels(v).isEmpty(), "label names, comma-separated");

  public static final ConfigOption<Double> CALL_UNCERTAIN_BELOW = define(ConfigOptions.key("call-uncertain-below").doubleType().defaultValue(0.4),
      "an utterance whose confidence (calibrated top probability) is under this is uncertain: counted in the summary,"
          + " ignored by the score and the alerts",
      unit(), "0..1");

  public static final ConfigOption<Double> CALL_SCORE_SMOOTHING = define(ConfigOptions.key("call-score-smoothing").doubleType().defaultValue(0.5),
      "weight of each new certain utterance in a channel's negative-affect score (an exponentially weighted mean)",
      x -> x > 0 && x <= 1, "(0, 1]");

  public static final ConfigOption<Double> CALL_ALERT_RAISE_ABOVE = define(ConfigOptions.key("call-alert-raise-above").doubleType().defaultValue(0.6),
      "SUSTAINED_NEGATIVE: an alert when the score stays above this for call-alert-sustained-utterances certain"
          + " utterances in a row",
      x -> x > 0 && x < 1, "(0, 1)");

  public static final ConfigOption<Integer> CALL_ALERT_SUSTAINED_UTTERANCES = define(ConfigOptions.key("call-alert-sustained-utterances").intType().defaultValue(3),
      "how many certain utterances in a row the score must stay above call-alert-raise-above",
      between(1, 1000), "1..1000");

  public static final ConfigOption<Double> CALL_ALERT_RISE_BY = define(ConfigOptions.key("call-alert-rise-by").doubleType().defaultValue(0.4),
      "RISING_NEGATIVE: an alert when the score rises by more than this within call-alert-rise-within-ms of call time",
      x -> x > 0 && x <= 1, "(0, 1]");

  public static final ConfigOption<Long> CALL_ALERT_RISE_WITHIN_MS = define(ConfigOptions.key("call-alert-rise-within-ms").longType().defaultValue(30000L),
      "the window of call time the rise is measured over",
      between(1L, MAX_WAIT_MS), "1.." + MAX_WAIT_MS);

  public static final ConfigOption<Double> CALL_ALERT_CLEAR_BELOW = define(ConfigOptions.key("call-alert-clear-below").doubleType().defaultValue(0.4),
      "an alert's episode ends (CLEARED) when the score falls under this; no new alert on the channel before"
          + " (hysteresis: must be under call-alert-raise-above)",
      unit(), "0..1, under call-alert-raise-above");

  public static final ConfigOption<String> CALL_ALERT_CHANNELS = define(ConfigOptions.key("call-alert-channels").stringType().defaultValue("customer"),
      "channels alerts are raised for, comma-separated, or *; only scored channels have scores",
      StreamJobOptions::isChannelList, "channel names, comma-separated, or *");

  public static final ConfigOption<Long> CALL_END_GRACE_MS = define(ConfigOptions.key("call-end-grace-ms").longType().defaultValue(30000L),
      "after every channel of a call the job knows ended, how long another channel may still show up (its audio is"
          + " processed by another task, which may lag) before the summary, unless the watermark passes the call's end"
          + " first (it does while other calls go on)",
      between(0L, MAX_WAIT_MS), "0.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> CALL_SUMMARY_WAIT_MS = define(ConfigOptions.key("call-summary-wait-ms").longType().defaultValue(70000L),
      "after every channel of a call ended, how long events still missing are waited for before the summary (they"
          + " may be scoring failures); the summary says how many are missing",
      between(0L, MAX_WAIT_MS), "0.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> CALL_IDLE_TIMEOUT_MS = define(ConfigOptions.key("call-idle-timeout-ms").longType().defaultValue(7200000L),
      "a call of which nothing arrived this long is summarised and forgotten",
      between(1L, MAX_WAIT_MS), "1.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> CALL_SUMMARISED_RETENTION_MS = define(ConfigOptions.key("call-summarised-retention-ms")
          .longType().defaultValue(600000L),
      "how long a summarised call is remembered: an event or channel of it arriving later is counted"
          + " (late_call_records) and dropped instead of starting a second summary of the call",
      between(1L, MAX_WAIT_MS), "1.." + MAX_WAIT_MS);

  public static final ConfigOption<String> GROUP_ID = define(ConfigOptions.key("group-id").stringType().defaultValue("ser-stream-job"),
      "Kafka consumer group (offsets are committed on checkpoints)",
      v -> !v.isBlank(), "a group id");

  public static final ConfigOption<String> STARTING_OFFSETS = define(ConfigOptions.key("starting-offsets").stringType().defaultValue("committed"),
      "where a job without a checkpoint starts: committed (else earliest), earliest or latest",
      v -> List.of("committed", "earliest", "latest").contains(v), "committed, earliest or latest");

  public static final ConfigOption<Long> PREFLIGHT_TIMEOUT_MS = define(ConfigOptions.key("preflight-timeout-ms").longType().defaultValue(30000L),
      "before submitting, connect to Kafka with these settings and check the login" + " and the three topics, failing at once with what to fix; 0 skips the check",
      between(0L, (long) Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<String> MODEL = define(ConfigOptions.key("model").stringType().noDefaultValue(),
      "the ONNX model exported by ser train (its metadata configures features and labels); several, comma-separated,"
          + " at different sample rates: each stream goes to the model of its rate (model-route-between)",
      v -> !v.isBlank() && modelFiles(v).stream().noneMatch(String::isBlank), "one file or comma-separated files");

  public static final ConfigOption<String> MODEL_ROUTE_BETWEEN = define(ConfigOptions.key("model-route-between").stringType().defaultValue("higher"),
      "with several models: a stream whose rate lies between two models' rates (16 kHz between 8 and 22.05 kHz) is"
          + " scored by the lower or the higher of them; a stream below every model's rate is a BAD_SAMPLE_RATE dead"
          + " letter",
      v -> v.equals("lower") || v.equals("higher"), "lower or higher");

  /** The files a model setting names. */
  public static java.util.List<String> modelFiles(String setting) {
    return java.util.Arrays.stream(setting.split(",", -1)).map(String::trim).toList();
  }

  public static final ConfigOption<String> MODEL_SHA256 = define(ConfigOptions.key("model-sha256").stringType().defaultValue(""),
      "the model's SHA-256; empty = read it from MODEL.sha256 next to the model. A model whose" + " content does not match is refused, on the client and on every TaskManager",
      v -> v.isEmpty() || v.matches("[0-9a-fA-F]{64}"), "empty or 64 hex digits");

  public static final ConfigOption<String> MODEL_UPDATE_TOPIC = define(ConfigOptions.key("model-update-topic").stringType().defaultValue(""),
      "the compacted control topic of model updates (ser model publish); each TaskManager loads and checks the model an"
          + " update names and swaps it in between utterances without a restart; empty = no updates, the job scores with"
          + " MODEL until it is restarted with another",
      v -> v.isEmpty() || !v.isBlank(), "empty or a topic");

  public static final ConfigOption<String> MODEL_STATUS_TOPIC = define(ConfigOptions.key("model-status-topic").stringType().defaultValue(""),
      "the compacted topic where each TaskManager writes what it did with each model update (active, refused with the"
          + " check and reason) and the model it started with; ser model status reads it; empty = the logs only",
      v -> v.isEmpty() || !v.isBlank(), "empty or a topic");

  public static final ConfigOption<String> MODEL_UPDATE_PUBLIC_KEY = define(ConfigOptions.key("model-update-public-key").stringType().defaultValue(""),
      "an Ed25519 public key (PEM, from ser model keygen) that model updates must be signed with; empty = unsigned"
          + " updates are accepted, and write access to the control topic is what guards the model",
      v -> true, "empty or a PEM file");

  public static final ConfigOption<String> MODEL_UPDATE_ALLOWED_HOSTS = define(ConfigOptions.key("model-update-allowed-hosts").stringType().defaultValue(""),
      "comma-separated hosts an update's https location may name; each TaskManager downloads the file (no redirects)"
          + " and checks it like a path; empty = paths only",
      v -> true, "empty or host names");

  public static final ConfigOption<String> MODEL_UPDATE_CA_CERTIFICATES = define(ConfigOptions.key("model-update-ca-certificates").stringType().defaultValue(""),
      "PEM file of the certificate authorities trusted for https model locations; empty = the JVM's",
      v -> true, "empty or a PEM file");

  public static final ConfigOption<Long> MODEL_UPDATE_FETCH_TIMEOUT_MS = define(ConfigOptions.key("model-update-fetch-timeout-ms").longType().defaultValue(60000L),
      "the longest an https model download may take, connection to last byte; a slower one is refused",
      between(1L, MAX_WAIT_MS), "an integer >= 1");

  public static final ConfigOption<String> DEVICE = define(ConfigOptions.key("device").stringType().defaultValue("cpu"),
      "ONNX Runtime device: cpu or cuda:N (falls back to cpu, logged, when CUDA cannot load)",
      StreamJobOptions::isDevice, "cpu, cuda or cuda:N");

  // 1 by default: ONNX Runtime's own default (a thread per core, spinning between runs) cost 0.6-1.5 ms more CPU per
  // utterance and missed the latency target on 2 cores where 1 met it (BENCHMARKS.md, section 3, 2026-12-02)
  public static final ConfigOption<Integer> ONNX_THREADS = define(ConfigOptions.key("onnx-threads").intType().defaultValue(1),
      "ONNX Runtime intra-op threads per session; 1 leaves the cores to Flink and to scoring-threads; 0 = ONNX"
          + " Runtime's default (one per core, spinning between runs), which cost more CPU per utterance and missed"
          + " the latency target where 1 met it (BENCHMARKS.md, section 3)",
      between(0, Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<String> DELIVERY_GUARANTEE = define(ConfigOptions.key("delivery-guarantee").stringType().defaultValue("exactly-once"),
      "exactly-once (events visible to read_committed consumers after each checkpoint)" + " or at-least-once (lower latency, duplicates possible after failures)",
      v -> v.equals("exactly-once") || v.equals("at-least-once"), "exactly-once or at-least-once");

  public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS = define(ConfigOptions.key("checkpoint-interval-ms").longType().defaultValue(5000L),
      "checkpoint interval; with exactly-once also the delay until events are visible",
      atLeast(1L), "an integer > 0");

  public static final ConfigOption<String> CHECKPOINT_DIR = define(ConfigOptions.key("checkpoint-dir").stringType().defaultValue(""),
      "where checkpoints go (file:///..., s3://...); empty = the Flink cluster's" + " execution.checkpointing.dir, or a temporary directory when run locally. Never the JobManager's memory:" + " its 5 MB limit fails checkpoints at a few hundred channels",
      v -> v.isEmpty() || v.matches("[a-z0-9]+://.+"), "empty or a URI such as file:///data/checkpoints");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = define(ConfigOptions.key("transactional-id-prefix").stringType().defaultValue("ser-stream-job"),
      "prefix of the Kafka transactional ids (unique per job on a cluster)",
      v -> !v.isBlank(), "a non-empty prefix");

  public static final ConfigOption<Long> CHECKPOINT_TIMEOUT_MS = define(ConfigOptions.key("checkpoint-timeout-ms").longType().defaultValue(300000L),
      "a checkpoint not complete after this long is abandoned; with exactly-once, transaction-timeout-ms must exceed"
          + " it plus checkpoint-interval-ms",
      between(1L, MAX_WAIT_MS), "1.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> TRANSACTION_TIMEOUT_MS = define(ConfigOptions.key("transaction-timeout-ms").longType().defaultValue(600000L),
      "Kafka transaction timeout; must stay below the broker's transaction.max.timeout.ms" + " (15 min by default)",
      atLeast(1L), "an integer > 0");

  public static final ConfigOption<Integer> PARALLELISM = define(ConfigOptions.key("parallelism").intType().defaultValue(0),
      "job parallelism; 0 = the environment's default",
      between(0, Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Integer> MAX_BATCH_SIZE = define(ConfigOptions.key("max-batch-size").intType().defaultValue(1),
      "most utterances scored in one ONNX Runtime call; 1 is fastest on CPUs (see" + " BENCHMARKS.md), raise it (32-128) on a GPU",
      between(1, 4096), "1..4096");

  public static final ConfigOption<Integer> SCORING_THREADS = define(ConfigOptions.key("scoring-threads").intType().defaultValue(1),
      "threads per TaskManager running ONNX Runtime calls concurrently",
      between(1, 256), "1..256");

  public static final ConfigOption<Long> MAX_BATCH_WAIT_MS = define(ConfigOptions.key("max-batch-wait-ms").longType().defaultValue(10L),
      "longest an utterance waits for others to fill a batch",
      between(0L, 10000L), "0..10000");

  public static final ConfigOption<Integer> MAX_IN_FLIGHT = define(ConfigOptions.key("max-in-flight").intType().defaultValue(64),
      "utterances being scored at once per parallel task",
      between(1, 100_000), "1..100000");

  public static final ConfigOption<Long> INFERENCE_TIMEOUT_MS = define(ConfigOptions.key("inference-timeout-ms").longType().defaultValue(60000L),
      "an utterance not scored within this fails the task (which restarts)",
      atLeast(1L), "an integer > 0");

  public static final ConfigOption<Double> VAD_THRESHOLD_DB = define(ConfigOptions.key("vad-threshold-db").doubleType().defaultValue(9.0),
      "speech is this many dB above the adaptive noise floor",
      x -> Double.isFinite(x) && x > 0, "a number > 0");

  public static final ConfigOption<Double> VAD_MIN_SPEECH_DBFS = define(ConfigOptions.key("vad-min-speech-dbfs").doubleType().defaultValue(-50.0),
      "speech is at least this loud (dB relative to full scale)",
      x -> Double.isFinite(x) && x < 0, "a number < 0");

  public static final ConfigOption<Integer> VAD_HANGOVER_MS = define(ConfigOptions.key("vad-hangover-ms").intType().defaultValue(500),
      "non-speech this long ends an utterance",
      between(0, Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Integer> VAD_PRE_ROLL_MS = define(ConfigOptions.key("vad-pre-roll-ms").intType().defaultValue(100),
      "audio kept before speech starts",
      between(0, Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Integer> MIN_UTTERANCE_MS = define(ConfigOptions.key("min-utterance-ms").intType().defaultValue(400),
      "utterances with less speech are dropped",
      between(0, Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Integer> MAX_UTTERANCE_MS = define(ConfigOptions.key("max-utterance-ms").intType().defaultValue(0),
      "longer speech is split; 0 = the model's input length",
      between(0, Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Integer> MAX_REORDER_CHUNKS = define(ConfigOptions.key("max-reorder-chunks").intType().defaultValue(64),
      "chunks held per channel while waiting for a missing one",
      between(1, 100_000), "1..100000");

  public static final ConfigOption<Integer> MAX_REORDER_BYTES = define(ConfigOptions.key("max-reorder-bytes").intType().defaultValue(262144),
      "payload bytes held per channel while waiting for a missing chunk; beyond it the gap counts as silence",
      between(1, 512 * 1024 * 1024), "1..536870912");

  public static final ConfigOption<Long> MAX_REORDER_WAIT_MS = define(ConfigOptions.key("max-reorder-wait-ms").longType().defaultValue(2000L),
      "how long a missing chunk is waited for before it counts as silence",
      between(0L, MAX_WAIT_MS), "0.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> MAX_SEQUENCE_JUMP = define(ConfigOptions.key("max-sequence-jump").longType().defaultValue(10000000L),
      "a chunk this far ahead of its stream's expected sequence is a BAD_SEQUENCE" + " dead letter (10 000 000 chunks of 100 ms: 11 days)",
      atLeast(1L), "an integer > 0");

  public static final ConfigOption<Long> MAX_AUDIO_AHEAD_MS = define(ConfigOptions.key("max-audio-ahead-ms").longType().defaultValue(10000L),
      "a channel's audio may run this far ahead of its own capture timestamps (a producer sending faster than real"
          + " time); chunks beyond are INVALID_FIELD dead letters, so one flooding caller cannot take the task from"
          + " the others. 0 = no limit",
      between(0L, MAX_WAIT_MS), "0.." + MAX_WAIT_MS);

  public static final ConfigOption<Integer> MAX_CHANNELS_PER_TASK = define(ConfigOptions.key("max-channels-per-task").intType().defaultValue(5000),
      "open channels one parallel task holds (bounds memory: an open channel holds up to max-reorder-bytes of chunks"
          + " and max-utterance-ms of audio); at the limit a new channel takes the place of the open channel heard from"
          + " least recently if that one has no utterance yet and sent nothing for max-reorder-wait-ms (it is closed as"
          + " if idle), otherwise its chunk is a TOO_MANY_CHANNELS dead letter",
      between(1, 10_000_000), "1..10000000");

  public static final ConfigOption<Integer> MAX_CLOSED_CHANNELS_PER_TASK = define(ConfigOptions.key("max-closed-channels-per-task").intType()
          .defaultValue(dev.ser.stream.assembly.TaskChannels.DEFAULT_MAX_CLOSED_CHANNELS),
      "closed channels that spoke one parallel task remembers for closed-retention-ms, to refuse their late chunks"
          + " (a few hundred bytes each); beyond it the one closed longest ago is forgotten early (metric"
          + " closed_channels_forgotten), and a chunk of it after that would start its stream again",
      between(1, 100_000_000), "1..100000000");

  public static final ConfigOption<Long> MAX_GAP_MS = define(ConfigOptions.key("max-gap-ms").longType().defaultValue(10000L),
      "longest silence inserted for missing chunks",
      between(0L, (long) Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Long> IDLE_TIMEOUT_MS = define(ConfigOptions.key("idle-timeout-ms").longType().defaultValue(60000L),
      "a channel without chunks this long is flushed and closed",
      between(1L, MAX_WAIT_MS), "1.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> CLOSED_RETENTION_MS = define(ConfigOptions.key("closed-retention-ms").longType().defaultValue(600000L),
      "a closed channel is remembered this long to refuse late chunks; then its state is gone",
      between(1L, MAX_WAIT_MS), "1.." + MAX_WAIT_MS);

  public static final ConfigOption<Long> ALLOWED_LATENESS_MS = define(ConfigOptions.key("allowed-lateness-ms").longType().defaultValue(600000L),
      "chunks captured this long before the watermark are dead letters; 0 disables",
      between(0L, (long) Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Long> MAX_CAPTURE_AHEAD_MS = define(ConfigOptions.key("max-capture-ahead-ms").longType().defaultValue(300000L),
      "chunks captured further ahead of the job's clock are dead letters (they would move event time ahead)",
      between(0L, MAX_WAIT_MS), "0.." + MAX_WAIT_MS);

  public static final ConfigOption<Integer> MAX_CHUNK_BYTES = define(ConfigOptions.key("max-chunk-bytes").intType().defaultValue(1048576),
      "largest payload accepted; larger chunks are dead letters",
      between(1, 512 * 1024 * 1024), "1..536870912");

  public static final ConfigOption<Long> WATERMARK_OUT_OF_ORDERNESS_MS = define(ConfigOptions.key("watermark-out-of-orderness-ms").longType().defaultValue(2000L),
      "event-time disorder tolerated by the watermarks",
      between(0L, (long) Integer.MAX_VALUE), "an integer >= 0");

  public static final ConfigOption<Long> SOURCE_IDLENESS_MS = define(ConfigOptions.key("source-idleness-ms").longType().defaultValue(10000L),
      "a partition without records this long does not hold back the watermark",
      atLeast(1L), "an integer > 0");

  private StreamJobOptions() {}

  /** Every setting, in declaration order, by name. */
  public static Map<String, Spec<?>> all() {
    return Collections.unmodifiableMap(SPECS);
  }

  /** The settings table of {@code stream-job/README.md}: name, default, meaning, accepted values. */
  public static String markdownTable() {
    StringBuilder md = new StringBuilder("| setting | default | meaning | accepted |\n|---|---|---|---|\n");
    for (Spec<?> s : SPECS.values()) {
      md.append("| `").append(s.name()).append("` | ")
          .append(s.defaultText() == null ? "(required)" : s.defaultText().isEmpty() ? "(empty)" : "`" + s.defaultText() + "`")
          .append(" | ").append(s.description().replace("|", "\\|")).append(" | ").append(s.expected()).append(" |\n");
    }
    return md.toString();
  }

  private static <T> ConfigOption<T> define(ConfigOption<T> option, String description, Predicate<T> valid,
      String expected) {
    ConfigOption<T> described = option.withDescription(description);
    SPECS.put(option.key(), new Spec<>(described, description, valid, expected, false));
    return described;
  }

  private static Predicate<Double> unit() {
    return x -> x >= 0 && x <= 1;
  }

  /** A comma-separated list of names, blanks dropped. */
  public static java.util.Set<String> labels(String v) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (String part : v.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  private static boolean isTopic(String v) {
    return v.matches("[a-zA-Z0-9._-]{1,249}");
  }

  private static boolean isChannelList(String v) {
    try {
      dev.ser.stream.scoring.ScoredChannels.parse(v);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isDevice(String v) {
    try {
      dev.ser.core.scoring.provider.InferenceDevice.parse(v);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Predicate<Integer> between(int min, int max) {
    return x -> x >= min && x <= max;
  }

  private static Predicate<Long> between(long min, long max) {
    return x -> x >= min && x <= max;
  }

  private static Predicate<Integer> atLeast(int min) {
    return x -> x >= min;
  }

  private static Predicate<Long> atLeast(long min) {
    return x -> x >= min;
  }
}
