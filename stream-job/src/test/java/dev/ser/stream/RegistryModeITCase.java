package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.kafka.ConfluentFraming;
import dev.ser.stream.kafka.TestSchemaRegistry;
import dev.ser.traffic.ChunkReplayer;
import dev.ser.traffic.SampleCalls;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job in schema-registry mode through the test broker (issue 20): chunks written in the
 * registries' framing are scored, every event and dead letter leaves in that framing under the id
 * of its subject, and a chunk whose id the registry does not know is a dead letter. The registry
 * is {@link TestSchemaRegistry}, a test double of the registry API (no real registry runs here).
 */
class RegistryModeITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static KafkaBrokerProcess broker;
  static TestSchemaRegistry registry;

  /** Re-frames what the sample replayer writes as a registry serializer would have written it. */
  public static final class RegistryFramer implements ProducerInterceptor<byte[], byte[]> {
    static volatile int id;

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> r) {
      return new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), ConfluentFraming.frame(r.value(), id),
          r.headers());
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.builder().build().start();
    registry = new TestSchemaRegistry();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void registryFramedChunksInRegistryFramedEventsAndDeadLettersOut() throws Exception {
    StreamJobConfig config = EmotionJobITCase.config(broker, "registry", "exactly-once").toBuilder()
        .set("wire-format", "confluent").set("schema-registry-url", registry.url()).set("score-channels", "*").build();
    RegistryFramer.id = registry.register("in-registry-value", WireFormat.history("AudioChunk").get(0));
    JobClient client = EmotionJobITCase.start(EmotionJob.onKafka(config), "registry");
    int expected;
    try {
      List<SampleCalls.Call> calls = SampleCalls.build(SampleCalls.clips(TestAudio.samplesDir()).subList(0, 3), 1,
          16000, 1000, "reg-");
      try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, RegistryFramer.class.getName()))) {
        new ChunkReplayer(producer, "in-registry", 100, 20, SampleEncoding.PCM_S16LE)
            .replay(calls, System.currentTimeMillis());
      }
      expected = calls.get(0).placements().size();
      try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
        byte[] chunk = WireFormat.encode(AudioChunk.newBuilder().setCallId("stranger").setChannel("customer")
            .setSequence(0).setCaptureTimestamp(Instant.now()).setSampleRate(8000).setEncoding(SampleEncoding.MULAW)
            .setPayload(ByteBuffer.wrap(new byte[800])).build());
        producer.send(new ProducerRecord<>("in-registry", "stranger".getBytes(StandardCharsets.UTF_8),
            ConfluentFraming.frame(chunk, 4242))).get();
      }

      int eventId = registry.register("out-registry-value", EmotionEvent.getClassSchema());
      var eventDecoder = WireFormat.decoder(EmotionEvent.class);
      long eventFingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(EmotionEvent.getClassSchema());
      List<EmotionEvent> events = KafkaTestSupport.read(broker.bootstrapServers(), "out-registry", expected,
          Duration.ofSeconds(3), Duration.ofSeconds(120), r -> {
            assertThat(ConfluentFraming.schemaId(r.value())).isEqualTo(eventId);
            assertThat(new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .isEqualTo("application/avro; encoding=confluent; schema=EmotionEvent/v2; id=" + eventId);
            try {
              return eventDecoder.decode(ConfluentFraming.unframe(r.value(), eventFingerprint));
            } catch (java.io.IOException e) {
              throw new AssertionError(e);
            }
          });
      assertThat(KafkaTestSupport.labelsOnce(events)).hasSize(expected);

      int deadLetterId = registry.register("dlq-registry-value", DeadLetter.getClassSchema());
      var dlDecoder = WireFormat.decoder(DeadLetter.class);
      long dlFingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(DeadLetter.getClassSchema());
      List<DeadLetter> dead = KafkaTestSupport.read(broker.bootstrapServers(), "dlq-registry", 1, Duration.ofSeconds(2),
          Duration.ofSeconds(60), r -> {
            assertThat(ConfluentFraming.schemaId(r.value())).isEqualTo(deadLetterId);
            try {
              return dlDecoder.decode(ConfluentFraming.unframe(r.value(), dlFingerprint));
            } catch (java.io.IOException e) {
              throw new AssertionError(e);
            }
          });
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).getKind()).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
      assertThat(dead.get(0).getMessage().toString()).isEqualTo("the schema registry " + registry.url()
          + "/ has no schema with id 4242: {\"error_code\":40403,\"message\":\"Schema 4242 not found\"}");
    } finally {
      EmotionJob.cancel(client);
    }
    // the job registered its output schemas itself, each once per subject and subtask at most
    assertThat(registry.requests).contains("POST /subjects/out-registry-value/versions",
        "POST /subjects/dlq-registry-value/versions", "GET /schemas/ids/" + RegistryFramer.id, "GET /schemas/ids/4242");
  }
}
