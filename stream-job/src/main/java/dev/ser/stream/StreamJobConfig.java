package dev.ser.stream;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every setting of the stream job, by name. The same names work as command-line flags
 * ({@code --max-batch-size 64}) and as keys of a properties file ({@code max-batch-size=64}); keys
 * starting with {@code kafka.} are passed to the Kafka clients unchanged without the prefix
 * ({@code kafka.security.protocol=SASL_SSL}). {@link Builder#build()} checks everything and says what
 * to fix.
 */
public final class StreamJobConfig implements Serializable {

  private static final long serialVersionUID = 1L;

  /** One setting: name, default (null when required), and what it means. */
  public record Setting(String name, String defaultValue, String description, Predicate<String> valid,
      String expected) {}

  private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

  static {
    def("bootstrap-servers", null, "Kafka bootstrap servers, host:port[,host:port]", v -> !v.isBlank(), "host:port list");
    def("input-topic", "audio-chunks", "topic of AudioChunk records", StreamJobConfig::isTopic, "a topic name");
    def("output-topic", "emotion-events", "topic for EmotionEvent records", StreamJobConfig::isTopic, "a topic name");
    def("dead-letter-topic", "audio-dead-letters", "topic for DeadLetter records", StreamJobConfig::isTopic, "a topic name");
    def("group-id", "ser-stream-job", "Kafka consumer group (offsets are committed on checkpoints)", v -> !v.isBlank(), "a group id");
    def("starting-offsets", "committed", "where a job without a checkpoint starts: committed (else earliest), earliest or latest",
        v -> List.of("committed", "earliest", "latest").contains(v), "committed, earliest or latest");
    def("preflight-timeout-ms", "30000", "before submitting, connect to Kafka with these settings and check the login"
        + " and the three topics, failing at once with what to fix; 0 skips the check", nonNegative(),
        "an integer >= 0");
    def("model", null, "the ONNX model exported by ser train (its metadata configures features and labels)", v -> !v.isBlank(), "a file");
    def("model-sha256", "", "the model's SHA-256; empty = read it from MODEL.sha256 next to the model. A model whose"
        + " content does not match is refused, on the client and on every TaskManager",
        v -> v.isEmpty() || v.matches("[0-9a-fA-F]{64}"), "empty or 64 hex digits");
    def("device", "cpu", "ONNX Runtime device: cpu or cuda:N (falls back to cpu, logged, when CUDA cannot load)",
        StreamJobConfig::isDevice, "cpu, cuda or cuda:N");
    def("onnx-threads", "0", "ONNX Runtime intra-op threads per session; 0 = ONNX Runtime's default", nonNegative(), "an integer >= 0");
    def("delivery-guarantee", "exactly-once", "exactly-once (events visible to read_committed consumers after each checkpoint)"
        + " or at-least-once (lower latency, duplicates possible after failures)",
        v -> v.equals("exactly-once") || v.equals("at-least-once"), "exactly-once or at-least-once");
    def("checkpoint-interval-ms", "5000", "checkpoint interval; with exactly-once also the delay until events are visible",
        positive(), "an integer > 0");
    def("checkpoint-dir", "", "where checkpoints go (file:///..., s3://...); empty = the Flink cluster's"
        + " execution.checkpointing.dir, or a temporary directory when run locally. Never the JobManager's memory:"
        + " its 5 MB limit fails checkpoints at a few hundred channels", v -> v.isEmpty() || v.matches("[a-z0-9]+://.+"),
        "empty or a URI such as file:///data/checkpoints");
    def("transactional-id-prefix", "ser-stream-job", "prefix of the Kafka transactional ids (unique per job on a cluster)",
        v -> !v.isBlank(), "a non-empty prefix");
    def("transaction-timeout-ms", "600000", "Kafka transaction timeout; must stay below the broker's transaction.max.timeout.ms"
        + " (15 min by default)", positive(), "an integer > 0");
    def("parallelism", "0", "job parallelism; 0 = the environment's default", nonNegative(), "an integer >= 0");
    def("max-batch-size", "1", "most utterances scored in one ONNX Runtime call; 1 is fastest on CPUs (see"
        + " BENCHMARKS.md), raise it (32-128) on a GPU", range(1, 4096), "1..4096");
    def("scoring-threads", "1", "threads per TaskManager running ONNX Runtime calls concurrently", range(1, 256),
        "1..256");
    def("max-batch-wait-ms", "10", "longest an utterance waits for others to fill a batch", range(0, 10_000), "0..10000");
    def("max-in-flight", "64", "utterances being scored at once per parallel task", range(1, 100_000), "1..100000");
    def("inference-timeout-ms", "60000", "an utterance not scored within this fails the task (which restarts)", positive(), "an integer > 0");
    def("vad-threshold-db", "9", "speech is this many dB above the adaptive noise floor", positiveDouble(), "a number > 0");
    def("vad-min-speech-dbfs", "-50", "speech is at least this loud (dB relative to full scale)", negativeDouble(), "a number < 0");
    def("vad-hangover-ms", "500", "non-speech this long ends an utterance", nonNegative(), "an integer >= 0");
    def("vad-pre-roll-ms", "100", "audio kept before speech starts", nonNegative(), "an integer >= 0");
    def("min-utterance-ms", "400", "utterances with less speech are dropped", nonNegative(), "an integer >= 0");
    def("max-utterance-ms", "0", "longer speech is split; 0 = the model's input length", nonNegative(), "an integer >= 0");
    def("max-reorder-chunks", "64", "chunks held per channel while waiting for a missing one", range(1, 100_000), "1..100000");
    def("max-reorder-wait-ms", "2000", "how long a missing chunk is waited for before it counts as silence", nonNegative(), "an integer >= 0");
    def("max-sequence-jump", "10000000", "a chunk this far ahead of its stream's expected sequence is a BAD_SEQUENCE"
        + " dead letter (10 000 000 chunks of 100 ms: 11 days)", positive(), "an integer > 0");
    def("max-channels-per-task", "5000", "open channels one parallel task holds; the first chunk of one more channel is a"
        + " TOO_MANY_CHANNELS dead letter (bounds memory: an open channel holds up to max-reorder-chunks chunks and"
        + " max-utterance-ms of audio)", range(1, 10_000_000), "1..10000000");
    def("max-gap-ms", "10000", "longest silence inserted for missing chunks", nonNegative(), "an integer >= 0");
    def("idle-timeout-ms", "60000", "a channel without chunks this long is flushed and closed", positive(), "an integer > 0");
    def("closed-retention-ms", "600000", "a closed channel is remembered this long to refuse late chunks; then its state is gone",
        positive(), "an integer > 0");
    def("allowed-lateness-ms", "600000", "chunks captured this long before the watermark are dead letters; 0 disables",
        nonNegative(), "an integer >= 0");
    def("max-chunk-bytes", "1048576", "largest payload accepted; larger chunks are dead letters", range(1, 512 * 1024 * 1024),
        "1..536870912");
    def("watermark-out-of-orderness-ms", "2000", "event-time disorder tolerated by the watermarks", nonNegative(), "an integer >= 0");
    def("source-idleness-ms", "10000", "a partition without records this long does not hold back the watermark", positive(),
        "an integer > 0");
  }

  private final Map<String, String> values;
  private final Map<String, String> kafka;

  private StreamJobConfig(Map<String, String> values, Map<String, String> kafka) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
  }

  public static Map<String, Setting> settings() {
    return Collections.unmodifiableMap(SETTINGS);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every value of this configuration, to change some. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.values.putAll(values);
    b.kafka.putAll(kafka);
    return b;
  }

  public String get(String name) {
    if (!SETTINGS.containsKey(name)) {
      throw new IllegalArgumentException("unknown setting " + name);
    }
    return values.get(name);
  }

  public int getInt(String name) {
    return Integer.parseInt(get(name));
  }

  public long getLong(String name) {
    return Long.parseLong(get(name));
  }

  public double getDouble(String name) {
    return Double.parseDouble(get(name));
  }

  public boolean exactlyOnce() {
    return get("delivery-guarantee").equals("exactly-once");
  }

  /** Properties for the Kafka clients (the {@code kafka.} settings, prefix removed). */
  public Properties kafkaProperties() {
    Properties p = new Properties();
    p.putAll(kafka);
    return p;
  }

  /** Every setting, with secrets masked: safe to log. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    values.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    kafka.forEach((k, v) -> b.append("kafka.").append(k).append('=').append(isSecret(k) ? "******" : v).append('\n'));
    return b.toString();
  }

  @Override
  public String toString() {
    return describe().replace('\n', ' ').trim();
  }

  static boolean isSecret(String kafkaKey) {
    String k = kafkaKey.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
        || k.endsWith(".key") || k.contains("credential");
  }

  /** Collects settings; later calls override earlier ones (file first, then flags). */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> kafka = new LinkedHashMap<>();

    private Builder() {}

    /** Sets a setting by name, or a Kafka client property when the name starts with {@code kafka.}. */
    public Builder set(String name, String value) {
      if (name.startsWith("kafka.")) {
        String key = name.substring("kafka.".length());
        if (key.isEmpty()) {
          throw new IllegalArgumentException("\"kafka.\" needs a Kafka client property after the dot");
        }
        kafka.put(key, value);
        return this;
      }
      if (!SETTINGS.containsKey(name)) {
        throw new IllegalArgumentException("unknown setting \"" + name + "\"" + suggestion(name)
            + "; Kafka client properties take the prefix kafka. (see 'ser stream --help')");
      }
      values.put(name, value.trim());
      return this;
    }

    /** Reads a properties file of settings. */
    public Builder load(Path file) throws IOException {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      for (String name : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
        try {
          set(name, p.getProperty(name));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
      }
      return this;
    }

    public StreamJobConfig build() {
      Map<String, String> all = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      for (Setting s : SETTINGS.values()) {
        String v = values.getOrDefault(s.name(), s.defaultValue());
        if (v == null) {
          problems.add("--" + s.name() + " is required (" + s.description() + ")");
          continue;
        }
        if (!s.valid().test(v)) {
          problems.add("--" + s.name() + " is \"" + v + "\"; expected " + s.expected());
          continue;
        }
        all.put(s.name(), v);
      }
      if (problems.isEmpty()) {
        checkTogether(all, problems);
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid stream job configuration:\n  " + String.join("\n  ", problems));
      }
      return new StreamJobConfig(all, kafka);
    }

    private void checkTogether(Map<String, String> v, List<String> problems) {
      if (List.of(v.get("input-topic"), v.get("output-topic"), v.get("dead-letter-topic")).stream().distinct().count() < 3) {
        problems.add("input-topic, output-topic and dead-letter-topic must be three different topics");
      }
      Path model = Path.of(v.get("model"));
      if (!Files.isRegularFile(model)) {
        problems.add("--model " + model + " does not exist (export one with ser train, or use models/ms-senet-emodb.onnx)");
      }
      long checkpoint = Long.parseLong(v.get("checkpoint-interval-ms"));
      long txTimeout = Long.parseLong(v.get("transaction-timeout-ms"));
      if (v.get("delivery-guarantee").equals("exactly-once")) {
        if (txTimeout > 900_000) {
          problems.add("--transaction-timeout-ms " + txTimeout + " is above Kafka's default transaction.max.timeout.ms"
              + " (900000); the broker would refuse the transactions");
        }
        if (txTimeout <= checkpoint) {
          problems.add("--transaction-timeout-ms (" + txTimeout + ") must be longer than --checkpoint-interval-ms ("
              + checkpoint + "), or transactions expire before they commit");
        }
      }
      for (String k : List.of("bootstrap.servers", "group.id", "key.deserializer", "value.deserializer",
          "key.serializer", "value.serializer", "transactional.id", "enable.auto.commit")) {
        if (kafka.containsKey(k)) {
          problems.add("kafka." + k + " is set by the job itself; use the job's own settings instead");
        }
      }
    }
  }

  private static void def(String name, String defaultValue, String description, Predicate<String> valid, String expected) {
    SETTINGS.put(name, new Setting(name, defaultValue, description, valid, expected));
  }

  private static String suggestion(String name) {
    String best = null;
    int bestDistance = 4;
    for (String known : SETTINGS.keySet()) {
      int d = distance(name, known);
      if (d < bestDistance) {
        bestDistance = d;
        best = known;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static boolean isTopic(String v) {
    return v.matches("[a-zA-Z0-9._-]{1,249}");
  }

  private static boolean isDevice(String v) {
    try {
      dev.ser.core.scoring.provider.InferenceDevice.parse(v);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Predicate<String> range(long min, long max) {
    return v -> {
      try {
        long x = Long.parseLong(v);
        return x >= min && x <= max;
      } catch (NumberFormatException e) {
        return false;
      }
    };
  }

  private static Predicate<String> positive() {
    return range(1, Long.MAX_VALUE);
  }

  private static Predicate<String> nonNegative() {
    return range(0, Integer.MAX_VALUE);
  }

  private static Predicate<String> positiveDouble() {
    return v -> parsesTo(v, x -> x > 0);
  }

  private static Predicate<String> negativeDouble() {
    return v -> parsesTo(v, x -> x < 0);
  }

  private static boolean parsesTo(String v, java.util.function.DoublePredicate p) {
    try {
      double x = Double.parseDouble(v);
      return Double.isFinite(x) && p.test(x);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
