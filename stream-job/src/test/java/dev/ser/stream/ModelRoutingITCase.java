package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.scoring.SharedScorers;
import dev.ser.traffic.ChunkReplayer;
import dev.ser.traffic.SampleCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job with a narrowband (8 kHz) and a wideband (22 050 Hz) model (issue 14): a G.711 call at
 * 8 kHz is scored by the narrowband model, a 22 050 Hz call by the wideband one, and a 16 kHz
 * softphone call by the wideband one by default; every event names its model, each utterance once.
 */
class ModelRoutingITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  static final Path NARROW = Path.of("src/test/resources/models/narrowband.onnx").toAbsolutePath();
  static KafkaBrokerProcess broker;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.builder().build().start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static int replay(StreamJobConfig config, String prefix, int rate, SampleEncoding encoding) throws Exception {
    List<SampleCalls.Call> calls = SampleCalls.build(SampleCalls.clips(TestAudio.samplesDir()).subList(0, 4), 1, rate,
        1000, prefix);
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
      new ChunkReplayer(producer, config.get(StreamJobOptions.INPUT_TOPIC), 100, 20, encoding)
          .replay(calls, System.currentTimeMillis());
    }
    return calls.get(0).placements().size();
  }

  @Test
  void eachCallIsScoredByTheModelOfItsBand() throws Exception {
    StreamJobConfig config = EmotionJobITCase.config(broker, "routing", "exactly-once").toBuilder()
        .set("model", NARROW + "," + TestAudio.model().toAbsolutePath()).set("score-channels", "*").build();
    EmotionJob job = EmotionJob.onKafka(config);
    assertThat(job.models()).extracting(m -> m.version()).containsExactly("fixture-8k", "4");
    JobClient client = EmotionJobITCase.start(job, "routing");
    try {
      int expected = replay(config, "tel-", 8000, SampleEncoding.MULAW)
          + replay(config, "wide-", 22050, SampleEncoding.PCM_S16LE)
          + replay(config, "soft-", 16000, SampleEncoding.PCM_S16LE);
      List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(),
          config.get(StreamJobOptions.OUTPUT_TOPIC), expected, Duration.ofSeconds(3), Duration.ofSeconds(120));
      assertThat(KafkaTestSupport.labelsOnce(events)).hasSize(expected);
      Map<String, String> versionsByCall = new TreeMap<>(events.stream().collect(Collectors.groupingBy(
          e -> e.getCallId().toString(), Collectors.mapping(e -> e.getModelVersion().toString(),
              Collectors.collectingAndThen(Collectors.toSet(), s -> String.join(",", new java.util.TreeSet<>(s)))))));
      assertThat(versionsByCall).containsExactly(Map.entry("soft-1", "4"), Map.entry("tel-1", "fixture-8k"),
          Map.entry("wide-1", "4"));
      for (EmotionEvent e : events) {
        assertThat(e.getScores()).hasSize(7);
      }
    } finally {
      EmotionJob.cancel(client);
    }
    assertThat(SharedScorers.openCount()).isZero();
  }
}
