package dev.ser.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties for the tools around the job ({@code ser dashboard}, {@code ser model
 * publish}), read the way the job reads them: the stream job's properties file as it is (its
 * {@code bootstrap-servers} and its {@code kafka.}-prefixed client settings; its other settings are
 * the job's), then {@code --kafka KEY=VALUE} flags, then {@code --bootstrap-servers}.
 */
public final class KafkaClientSettings {

  private KafkaClientSettings() {}

  /** The properties file's keys; empty without one. */
  public static Properties read(Path config) throws IOException {
    Properties p = new Properties();
    if (config != null) {
      try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    return p;
  }

  /**
   * The client properties: {@code kafka.*} keys of {@code config}, then {@code flags}, then the
   * bootstrap servers ({@code bootstrap}, else the file's {@code bootstrap-servers}).
   *
   * @throws IllegalArgumentException when neither names the cluster
   */
  public static Map<String, Object> clientProperties(Path config, String bootstrap, Map<String, String> flags)
      throws IOException {
    Properties p = read(config);
    Map<String, Object> props = new LinkedHashMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("kafka.") && key.length() > "kafka.".length()) {
        props.put(key.substring("kafka.".length()), p.getProperty(key));
      }
    }
    props.putAll(flags);
    String servers = bootstrap != null ? bootstrap : p.getProperty("bootstrap-servers");
    if (servers == null || servers.isBlank()) {
      throw new IllegalArgumentException("no Kafka cluster: give --bootstrap-servers, or bootstrap-servers in --config");
    }
    props.put("bootstrap.servers", servers.strip());
    return props;
  }
}
