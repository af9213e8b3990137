package dev.ser.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How a command reaches Kafka (a picocli mixin): the stream job's properties file, client
 * properties, the bootstrap servers; read by {@link KafkaClientSettings}.
 */
public final class KafkaOptions {
  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "or bootstrap-servers in --config")
  String bootstrap;

  @Option(names = "--config", paramLabel = "FILE", description = "the stream job's properties file: its"
      + " bootstrap-servers and kafka.* keys are used")
  Path config;

  @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "a Kafka client property; repeatable")
  Map<String, String> properties = new LinkedHashMap<>();

  /** Whether a cluster was named at all (a command may then skip Kafka). */
  public boolean given() {
    return bootstrap != null || config != null;
  }

  public Map<String, Object> clientProperties() throws Exception {
    return KafkaClientSettings.clientProperties(config, bootstrap, properties);
  }
}
