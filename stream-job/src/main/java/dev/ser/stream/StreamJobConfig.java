package dev.ser.stream;

import dev.ser.stream.kafka.RegistryFraming;
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
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The values of the stream job's settings ({@link StreamJobOptions}), checked together. The same names
 * work as command-line flags
 * ({@code --max-batch-size 64}) and as keys of a properties file ({@code max-batch-size=64}); keys
 * starting with {@code kafka.} are passed to the Kafka clients unchanged without the prefix
 * ({@code kafka.security.protocol=SASL_SSL}). {@link Builder#build()} checks everything and says what
 * to fix.
 */
@PublicEvolving
public final class StreamJobConfig implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Map<String, String> values;
  private final Map<String, String> kafka;
  private final Configuration typed;

  private StreamJobConfig(Map<String, String> values, Map<String, String> kafka) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
    this.typed = Configuration.fromMap(this.values);
  }

  /** Every setting, by name (the one list is {@link StreamJobOptions}). */
  public static Map<String, StreamJobOptions.Spec<?>> settings() {
    return StreamJobOptions.all();
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

  /** The value of a setting, typed: {@code config.get(StreamJobOptions.MAX_BATCH_SIZE)}. */
  public <T> T get(ConfigOption<T> option) {
    if (!StreamJobOptions.all().containsKey(option.key())) {
      throw new IllegalArgumentException("not a stream job setting: " + option.key());
    }
    return typed.get(option);
  }

  public boolean exactlyOnce() {
    return get(StreamJobOptions.DELIVERY_GUARANTEE).equals("exactly-once");
  }

  /** The schema registry the job reads Confluent-framed chunks through; null when none is set. */
  public RegistryFraming schemaRegistry() {
    String url = get(StreamJobOptions.SCHEMA_REGISTRY_URL);
    return url.isEmpty() ? null : new RegistryFraming(url,
        get(StreamJobOptions.SCHEMA_REGISTRY_AUTO_REGISTER), get(StreamJobOptions.SCHEMA_REGISTRY_TIMEOUT_MS));
  }

  /** How the outputs are framed: null for single-object encoding, else the registry's framing. */
  public RegistryFraming outputFraming() {
    return get(StreamJobOptions.WIRE_FORMAT).equals("confluent") ? schemaRegistry() : null;
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
    values.forEach((k, v) -> b.append(k).append('=').append(StreamJobOptions.all().get(k).secret() ? "******" : v)
        .append('\n'));
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
      if (!StreamJobOptions.all().containsKey(name)) {
        throw new IllegalArgumentException("unknown setting \"" + name + "\"" + suggestion(name)
            + "; Kafka client properties take the prefix kafka. (see 'ser stream --help')");
      }
      values.put(name, value.trim());
      return this;
    }

    /** Whether the setting {@code name} has a value yet. */
    public boolean has(String name) {
      return values.containsKey(name);
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

    /**
     * Takes every stream job setting present in a Flink configuration under {@code ser.}
     * ({@code ser.max-batch-size: 64} in the cluster's config.yaml), and Kafka client properties
     * under {@code ser.kafka.}.
     */
    public Builder load(Configuration flink) {
      flink.toMap().forEach((key, value) -> {
        if (key.startsWith("ser.")) {
          set(key.substring("ser.".length()), value);
        }
      });
      return this;
    }

    public StreamJobConfig build() {
      Map<String, String> all = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      for (StreamJobOptions.Spec<?> s : StreamJobOptions.all().values()) {
        String v = values.getOrDefault(s.name(), s.defaultText());
        if (v == null) {
          problems.add("--" + s.name() + " is required (" + s.description() + ")");
          continue;
        }
        if (!parsesAndHolds(s, v)) {
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

    private static <T> boolean parsesAndHolds(StreamJobOptions.Spec<T> spec, String value) {
      try {
        T parsed = Configuration.fromMap(Map.of(spec.name(), value)).get(spec.option());
        return parsed != null && spec.valid().test(parsed);
      } catch (IllegalArgumentException e) {
        return false; // not a number where one is expected
      }
    }

    private void checkTogether(Map<String, String> values, List<String> problems) {
      Configuration v = Configuration.fromMap(values);
      if (List.of(v.get(StreamJobOptions.INPUT_TOPIC), v.get(StreamJobOptions.OUTPUT_TOPIC),
          v.get(StreamJobOptions.DEAD_LETTER_TOPIC), v.get(StreamJobOptions.ALERT_TOPIC),
          v.get(StreamJobOptions.SUMMARY_TOPIC)).stream().distinct().count() < 5) {
        problems.add("input-topic, output-topic, dead-letter-topic, alert-topic and summary-topic must be five different"
            + " topics");
      }
      if (v.get(StreamJobOptions.CALL_SUMMARY_WAIT_MS) < v.get(StreamJobOptions.CALL_END_GRACE_MS)) {
        problems.add("call-summary-wait-ms (" + v.get(StreamJobOptions.CALL_SUMMARY_WAIT_MS) + ") must be at least"
            + " call-end-grace-ms (" + v.get(StreamJobOptions.CALL_END_GRACE_MS) + ")");
      }
      if (v.get(StreamJobOptions.CALL_ALERT_CLEAR_BELOW) >= v.get(StreamJobOptions.CALL_ALERT_RAISE_ABOVE)) {
        problems.add("call-alert-clear-below (" + v.get(StreamJobOptions.CALL_ALERT_CLEAR_BELOW) + ") must be under"
            + " call-alert-raise-above (" + v.get(StreamJobOptions.CALL_ALERT_RAISE_ABOVE) + "): the hysteresis");
      }
      for (String file : StreamJobOptions.modelFiles(v.get(StreamJobOptions.MODEL))) {
        Path model = Path.of(file);
        if (!Files.isRegularFile(model)) {
          problems.add("--model " + model + " does not exist (export one with ser train, or use"
              + " models/ms-senet-emodb.onnx)");
        }
      }
      if (v.get(StreamJobOptions.WIRE_FORMAT).equals("confluent") && v.get(StreamJobOptions.SCHEMA_REGISTRY_URL).isEmpty()) {
        problems.add("--wire-format confluent needs --schema-registry-url (the registry whose schema ids the records carry)");
      }
      long checkpoint = v.get(StreamJobOptions.CHECKPOINT_INTERVAL_MS);
      long txTimeout = v.get(StreamJobOptions.TRANSACTION_TIMEOUT_MS);
      if (v.get(StreamJobOptions.DELIVERY_GUARANTEE).equals("exactly-once")) {
        if (txTimeout > 900_000) {
          problems.add("--transaction-timeout-ms " + txTimeout + " is above Kafka's default transaction.max.timeout.ms"
              + " (900000); the broker would refuse the transactions");
        }
        long checkpointTimeout = v.get(StreamJobOptions.CHECKPOINT_TIMEOUT_MS);
        if (txTimeout <= checkpoint) {
          problems.add("--transaction-timeout-ms (" + txTimeout + ") must be longer than --checkpoint-interval-ms ("
              + checkpoint + "), or transactions expire before they commit");
        } else if (txTimeout <= checkpoint + checkpointTimeout) {
          // a transaction is open from one checkpoint until the next completes: up to interval + timeout
          problems.add("--transaction-timeout-ms (" + txTimeout + ") must be longer than --checkpoint-interval-ms ("
              + checkpoint + ") plus --checkpoint-timeout-ms (" + checkpointTimeout + "), or transactions expire"
              + " before they commit");
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

  private static String suggestion(String name) {
    String best = null;
    int bestDistance = 4;
    for (String known : StreamJobOptions.all().keySet()) {
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
}
