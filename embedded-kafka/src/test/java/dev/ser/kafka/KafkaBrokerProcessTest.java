package dev.ser.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerProcessTest {

  @Test
  void servesSurvivesSigkillAndCleansUp() throws Exception {
    java.nio.file.Path dir;
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().transactionVersion(1).build().start()) {
      dir = broker.directory();
      broker.createTopic("t", 2);
      produce(broker, "before-kill");
      long pid = broker.pid();
      broker.kill();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      broker.start();
      produce(broker, "after-restart");
      assertThat(consumeAll(broker, 2)).containsExactlyInAnyOrder("before-kill", "after-restart");
      assertThat(java.nio.file.Files.readString(dir.resolve("format.log"))).contains("transaction.version");
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void scramOverTlsAcceptsItsUserAndRefusesAWrongPassword(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    SelfSignedTls tls = SelfSignedTls.generate(tmp);
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder()
        .scramOverTls(tls, Map.of("alice", "alice-secret")).build().start()) {
      broker.createTopic("t", 1);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.<String, Object>copyOf(
          broker.secureClientProperties("alice", "alice-secret")), new StringSerializer(), new StringSerializer())) {
        p.send(new ProducerRecord<>("t", "k", "over SASL_SSL")).get();
      }
      assertThat(consumeAll(broker, 1)).containsExactly("over SASL_SSL");
      Map<String, Object> wrong = new java.util.HashMap<>(broker.secureClientProperties("alice", "not-her-password"));
      wrong.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(wrong, new StringSerializer(),
          new StringSerializer())) {
        assertThatThrownBy(() -> p.send(new ProducerRecord<>("t", "k", "refused")).get())
            .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class)
            .rootCause().hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
      }
    }
  }

  @Test
  void refusesAClasspathWithoutKafka() {
    assertThatThrownBy(() -> KafkaBrokerProcess.builder().classpath("/nowhere.jar").build())
        .hasMessageContaining("no kafka_2.13 jar");
    assertThatThrownBy(() -> KafkaBrokerProcess.builder().transactionVersion(3).build())
        .hasMessageContaining("transaction.version must be 0, 1 or 2");
  }

  private static void produce(KafkaBrokerProcess broker, String value) throws Exception {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
        new StringSerializer())) {
      p.send(new ProducerRecord<>("t", "k", value)).get();
    }
  }

  private static List<String> consumeAll(KafkaBrokerProcess broker, int expected) {
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "g",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of("t"));
      long deadline = System.currentTimeMillis() + 30_000;
      while (out.size() < expected && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }
}
