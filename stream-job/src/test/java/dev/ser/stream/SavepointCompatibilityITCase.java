package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.traffic.SampleCalls;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint written by an older build restores in this one: every event of the call comes out
 * once and identical to an uninterrupted run.
 *
 * <p>The fixture under {@code src/test/resources/savepoints/before-package-split/} was taken from
 * the build before the stream job's packages were split by role (README there): one customer
 * channel mid-call, with an utterance half received by the segmenter and two chunks waiting in
 * the reorder buffer for a missing one. Its chunks are rebuilt here from the repository's samples,
 * in the same order, so the source resumes at the offset the savepoint recorded. Wall-clock waits
 * are set far beyond the fixture's age: its processing-time timers fire at once on restore and
 * must find nothing due, as they would in a job restored within the waits.
 */
class SavepointCompatibilityITCase {

  static final Path FIXTURE = Path.of(System.getProperty("user.dir"),
      "src/test/resources/savepoints/before-package-split");
  static final String CALL = "savepoint-call";
  /** Chunks (100 ms) fed before the savepoint: 0..83 without 81, the one the reorder buffer waits for. */
  static final int CUT = 84;
  static final int MISSING = CUT - 3;

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** The customer channel of a call of four sample clips (the customer speaks the 1st and 3rd), 16 kHz PCM16. */
  static List<AudioChunk> chunks() throws Exception {
    SampleCalls.Call call = SampleCalls.build(TestAudio.clips(4), 1, 16000, 1000, CALL).get(0);
    float[] audio = call.channels().get("customer");
    int per = 1600;
    List<AudioChunk> out = new ArrayList<>();
    for (int seq = 0, from = 0; from < audio.length; seq++, from += per) {
      int to = Math.min(from + per, audio.length);
      out.add(AudioChunk.newBuilder().setCallId(CALL).setChannel("customer").setSequence(seq)
          .setCaptureTimestamp(Instant.ofEpochMilli(TestAudio.START + seq * 100L)).setSampleRate(16000)
          .setEncoding(SampleEncoding.PCM_S16LE)
          .setPayload(ByteBuffer.wrap(dev.ser.core.audio.PcmEncoder.encode(SampleEncoding.PCM_S16LE, audio, from,
              to - from)))
          .setEndOfStream(to == audio.length).build());
    }
    return out;
  }

  /** The topic's records in offset order: the savepoint's part (one chunk held back), then the rest. */
  static List<AudioChunk> beforeCut(List<AudioChunk> all) {
    List<AudioChunk> out = new ArrayList<>(all.subList(0, CUT));
    out.remove(MISSING);
    return out;
  }

  static List<AudioChunk> afterCut(List<AudioChunk> all) {
    List<AudioChunk> out = new ArrayList<>();
    out.add(all.get(MISSING));
    out.addAll(all.subList(CUT, all.size()));
    return out;
  }

  static void send(String bootstrap, String topic, List<AudioChunk> chunks) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(bootstrap)) {
      for (AudioChunk c : chunks) {
        producer.send(new ProducerRecord<>(topic, c.getCallId().toString().getBytes(StandardCharsets.UTF_8),
            WireFormat.encode(c))).get(); // one at a time: offsets follow the list
      }
    }
  }

  /** Settings shared by the fixture's run and the restored one; waits beyond any age of the fixture. */
  static StreamJobConfig.Builder settings(String bootstrap, String in, String out) {
    String forever = String.valueOf(StreamJobOptions.MAX_WAIT_MS / 10);
    return StreamJobConfig.builder().set("bootstrap-servers", bootstrap).set("input-topic", in)
        .set("output-topic", out).set("dead-letter-topic", "dlq").set("model", TestAudio.model().toString())
        .set("starting-offsets", "earliest").set("delivery-guarantee", "at-least-once")
        .set("checkpoint-interval-ms", "3600000").set("parallelism", "1")
        .set("max-utterance-ms", "2000").set("allowed-lateness-ms", "0")
        .set("max-reorder-wait-ms", forever).set("idle-timeout-ms", forever).set("closed-retention-ms", forever);
  }

  static JobClient start(StreamJobConfig config, String savepoint) throws Exception {
    Configuration conf = new Configuration();
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    return KafkaTestSupport.submit(EmotionJob.onKafka(config), "savepoint-compatibility", conf);
  }

  /** An event without what depends on the wall clock (its processing latency). */
  static String comparable(EmotionEvent e) {
    EmotionEvent copy = EmotionEvent.newBuilder(e).setProcessingLatencyMs(0).build();
    return copy.toString();
  }

  static Map<String, String> byUtterance(List<EmotionEvent> events) {
    Map<String, String> out = new TreeMap<>();
    for (EmotionEvent e : events) {
      assertThat(out.put(e.getUtteranceId().toString(), comparable(e))).as("%s delivered twice", e.getUtteranceId())
          .isNull();
    }
    return out;
  }

  @Test
  void theSavepointOfTheBuildBeforeThePackageSplitRestoresWithEveryEventOnce(@TempDir Path dir) throws Exception {
    List<String> before = Files.readAllLines(FIXTURE.resolve("events-before-savepoint.txt"));
    Path savepoint = dir.resolve("savepoint");
    copyTree(FIXTURE.resolve("savepoint"), savepoint);
    List<AudioChunk> all = chunks();
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      for (String t : List.of("in", "out", "full", "full-out", "dlq", "call-alerts", "call-summaries")) {
        broker.createTopic(t, 1);
      }
      send(broker.bootstrapServers(), "in", beforeCut(all));
      send(broker.bootstrapServers(), "in", afterCut(all));
      send(broker.bootstrapServers(), "full", beforeCut(all));
      send(broker.bootstrapServers(), "full", afterCut(all));

      JobClient uninterrupted = start(settings(broker.bootstrapServers(), "full", "full-out").build(), null);
      Map<String, String> expected;
      try {
        expected = byUtterance(KafkaTestSupport.events(broker.bootstrapServers(), "full-out", Integer.MAX_VALUE,
            Duration.ZERO, Duration.ofSeconds(40)));
      } finally {
        EmotionJob.cancel(uninterrupted);
      }
      assertThat(expected.keySet()).as("the uninterrupted run's utterances").containsAll(before)
          .hasSizeGreaterThan(before.size());

      JobClient restored = start(settings(broker.bootstrapServers(), "in", "out").build(), savepoint.toUri().toString());
      try {
        Map<String, String> after = byUtterance(KafkaTestSupport.events(broker.bootstrapServers(), "out",
            expected.size() - before.size(), Duration.ofSeconds(5), Duration.ofSeconds(90)));
        assertThat(after.keySet()).as("no utterance the savepoint's run already emitted").doesNotContainAnyElementsOf(
            before);
        Map<String, String> rest = new TreeMap<>(expected);
        rest.keySet().removeAll(before);
        assertThat(after).isEqualTo(rest);
        System.out.printf("restored the fixture: %d events before the savepoint, %d after, identical to an"
            + " uninterrupted run%n", before.size(), after.size());
        // the restored state (migrated where its format changed) is written again by a new savepoint
        String again = restored.stopWithSavepoint(false, dir.resolve("again").toUri().toString(),
            SavepointFormatType.CANONICAL).get();
        assertThat(Path.of(java.net.URI.create(again)).resolve("_metadata")).exists();
      } finally {
        EmotionJob.cancel(restored);
      }
    }
  }

  /**
   * Writes the fixture with the build at hand (only when {@code SER_WRITE_SAVEPOINT_FIXTURE} is
   * set): the chunks before the cut, processed, then stop-with-savepoint.
   */
  @Test
  @EnabledIfEnvironmentVariable(named = "SER_WRITE_SAVEPOINT_FIXTURE", matches = ".+")
  void writeFixture(@TempDir Path dir) throws Exception {
    List<AudioChunk> all = chunks();
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      for (String t : List.of("in", "out", "dlq", "call-alerts", "call-summaries")) {
        broker.createTopic(t, 1);
      }
      send(broker.bootstrapServers(), "in", beforeCut(all));
      JobClient job = start(settings(broker.bootstrapServers(), "in", "out").build(), null);
      // the first utterance ends long before the cut; wait for it, then for the rest of the chunks to pass
      List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(), "out", 1, Duration.ofSeconds(5),
          Duration.ofSeconds(60));
      String location = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
          SavepointFormatType.CANONICAL).get();
      events = KafkaTestSupport.events(broker.bootstrapServers(), "out", events.size(), Duration.ofSeconds(2),
          Duration.ofSeconds(10));
      Path target = FIXTURE.resolve("savepoint");
      if (Files.exists(target)) {
        try (Stream<Path> old = Files.walk(target)) {
          old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      copyTree(Path.of(java.net.URI.create(location)), target);
      Files.write(FIXTURE.resolve("events-before-savepoint.txt"), byUtterance(events).keySet());
      System.out.printf("fixture written: %d events before the savepoint %s%n", events.size(), location);
    }
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
