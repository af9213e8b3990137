package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.scoring.ModelChecksum;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelStatus;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.scoring.ScoredChannels;
import dev.ser.stream.scoring.SharedScorers;
import dev.ser.traffic.ChunkReplayer;
import dev.ser.traffic.SampleCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model update on the control topic of a running job (issue 16), on a MiniCluster against a real
 * broker: the job swaps to the new model without a restart (it computes other features: 20
 * coefficients instead of 39), ignores a refused update and a record that is no update (a dead
 * letter), and after a failure comes back with the model it had accepted, every utterance scored
 * exactly once by one named model.
 */
class ModelUpdateITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  static KafkaBrokerProcess broker;
  static List<SampleCalls.Clip> clips;
  static final Path SECOND = Path.of("src/test/resources/models/second-version.onnx").toAbsolutePath();

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.builder().build().start();
    clips = SampleCalls.clips(TestAudio.samplesDir());
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static final AtomicBoolean ARMED = new AtomicBoolean();
  static final AtomicInteger INJECTED = new AtomicInteger();

  /** Once armed, each subtask's first attempt fails at its next utterance. */
  static final class FailWhenArmed extends RichMapFunction<UtteranceRecord, UtteranceRecord> {
    @Override
    public UtteranceRecord map(UtteranceRecord u) {
      if (ARMED.get() && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected failure at " + u.utteranceId());
      }
      return u;
    }
  }

  static ModelUpdate update(Path file, String version, String sha256) {
    return ModelUpdate.newBuilder().setModelName("ms-senet-emodb").setModelVersion(version).setLocation(file.toString())
        .setSha256(sha256).setBand(ModelBand.ALL).setIssuedAt(Instant.now()).setIssuedBy("ModelUpdateITCase").build();
  }

  static void publish(String topic, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = KafkaTestSupport.producer(broker.bootstrapServers())) {
      p.send(new ProducerRecord<>(topic, "ALL".getBytes(StandardCharsets.UTF_8), value)).get();
    }
  }

  /** Sends {@code which} as one call with id {@code prefix}1; returns the utterance ids the job must score. */
  static Set<String> replay(StreamJobConfig config, List<SampleCalls.Clip> which, String prefix) throws Exception {
    List<SampleCalls.Call> calls = SampleCalls.build(which, 1, 22050, 1000, prefix);
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
      new ChunkReplayer(producer, config.get(StreamJobOptions.INPUT_TOPIC), 100, 20, SampleEncoding.PCM_S16LE)
          .replay(calls, System.currentTimeMillis());
    }
    return TestAudio.expectedLabels(calls, ScoredChannels.parse("*")).keySet();
  }

  /** Every event so far, once at least {@code atLeast} arrived and no more came for 2 s. */
  static List<EmotionEvent> events(StreamJobConfig config, int atLeast) {
    return KafkaTestSupport.events(broker.bootstrapServers(), config.get(StreamJobOptions.OUTPUT_TOPIC), atLeast,
        Duration.ofSeconds(2), Duration.ofSeconds(120));
  }

  /** Utterance id to the version that scored it, for the events of calls starting with {@code prefix}. */
  static Map<String, String> versions(List<EmotionEvent> events, String prefix) {
    return events.stream().filter(e -> e.getCallId().toString().startsWith(prefix)).collect(Collectors.toMap(
        e -> e.getUtteranceId().toString(), e -> e.getModelVersion().toString())); // a duplicate id throws
  }

  static List<ModelStatus> statuses(StreamJobConfig config, int atLeast) {
    var decoder = WireFormat.decoder(ModelStatus.class);
    return KafkaTestSupport.read(broker.bootstrapServers(), config.get(StreamJobOptions.MODEL_STATUS_TOPIC), atLeast,
        Duration.ofSeconds(2), Duration.ofSeconds(60), r -> {
          try {
            return decoder.decode(r.value());
          } catch (java.io.IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  /** The job's settings for one test: its own topics, the control and status topics, every channel scored. */
  static StreamJobConfig config(String test) {
    broker.createTopic("updates-" + test, 1);
    broker.createTopic("status-" + test, 1);
    return EmotionJobITCase.config(broker, test, "exactly-once").toBuilder().set("model-update-topic", "updates-" + test)
        .set("model-status-topic", "status-" + test).set("score-channels", "*").set("source-idleness-ms", "1000")
        .build();
  }

  @Test
  void aRunningJobSwapsToAnUpdateIgnoresRefusedOnesAndKeepsItAfterAFailure() throws Exception {
    String test = "swap";
    StreamJobConfig config = config(test);
    String control = config.get(StreamJobOptions.MODEL_UPDATE_TOPIC);
    ARMED.set(false);
    INJECTED.set(0);
    JobClient client = EmotionJobITCase.start(EmotionJob.onKafka(config)
        .afterSegmentation(s -> s.map(new FailWhenArmed()).name("fail when armed")), "model update");
    try {
      Set<String> before = replay(config, clips.subList(0, 3), "before-");
      assertThat(versions(events(config, 3), "before-")).as("the job's model file").containsOnlyKeys(before)
          .containsValues("4").doesNotContainValue("fixture-2");

      publish(control, WireFormat.encode(update(SECOND, "fixture-2", ModelChecksum.sha256(SECOND))));
      // the swap happens between utterances, on the TaskManager's own time: probe until an event names it
      int probes = 0;
      int seen = 3;
      String probeVersion = "4";
      while (!probeVersion.equals("fixture-2")) {
        assertThat(probes).as("probe calls before the swap").isLessThan(30);
        Set<String> probe = replay(config, clips.subList(3, 4), "probe-" + probes + "-");
        seen += probe.size();
        probeVersion = versions(events(config, seen), "probe-" + probes + "-").get(probe.iterator().next());
        probes++;
      }

      // refused (its SHA-256 does not match the file) and not an update at all: the new model stays
      publish(control, WireFormat.encode(update(SECOND, "fixture-2", "0".repeat(64))));
      publish(control, "not a model update".getBytes(StandardCharsets.UTF_8));
      List<DeadLetter> deadLetters = KafkaTestSupport.deadLetters(broker.bootstrapServers(),
          config.get(StreamJobOptions.DEAD_LETTER_TOPIC), 1, Duration.ofSeconds(2), Duration.ofSeconds(60));
      assertThat(deadLetters).hasSize(1);
      assertThat(deadLetters.get(0).getKind()).isEqualTo(DeadLetterKind.BAD_AVRO);
      assertThat(deadLetters.get(0).getSourceTopic().toString()).isEqualTo(control);
      assertThat(deadLetters.get(0).getMessage().toString()).startsWith("not an Avro single-object-encoded ModelUpdate");
      // the one TaskManager said what it started with, what became active and what it refused, and why
      List<ModelStatus> statuses = statuses(config, 3);
      assertThat(statuses).extracting(st -> st.getOutcome() + " " + st.getModelVersion() + " " + st.getCheck() + " -> "
          + st.getActiveModelVersion()).containsExactly("ACTIVE 4 null -> 4", "ACTIVE fixture-2 null -> fixture-2",
          "REFUSED fixture-2 SHA256 -> fixture-2");
      assertThat(statuses.get(2).getReason().toString()).isEqualTo("the file's SHA-256 is "
          + ModelChecksum.sha256(SECOND) + ", the update names " + "0".repeat(64));
      assertThat(statuses).extracting(st -> st.getJob().toString()).containsOnly("job-" + test);

      Set<String> after = replay(config, clips.subList(4, 7), "after-");
      seen += after.size();
      List<EmotionEvent> all = events(config, seen);
      assertThat(versions(all, "after-")).containsOnlyKeys(after).containsValues("fixture-2").doesNotContainValue("4");
      for (EmotionEvent e : all) {
        assertThat(e.getScores()).hasSize(7);
        double sum = e.getScores().stream().mapToDouble(ClassScore::getScore).sum();
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      }

      ARMED.set(true); // every task restarts: the TaskManager's models are closed and opened again
      Set<String> restarted = replay(config, clips.subList(7, 12), "restart-");
      seen += restarted.size();
      List<EmotionEvent> finalEvents = events(config, seen);
      assertThat(INJECTED.get()).as("the failure fired").isPositive();
      assertThat(versions(finalEvents, "restart-")).as("each exactly once, by the model accepted before the failure")
          .containsOnlyKeys(restarted).containsValues("fixture-2").doesNotContainValue("4");
      assertThat(versions(finalEvents, "")).hasSize(seen);
      // after the restart the TaskManager still has fixture-2 (the switchboard waits for restarted tasks); the
      // restored latest update is the refused one: tried again, refused again, and the one before it is active
      assertThat(statuses(config, 4).subList(3, 4)).extracting(st -> st.getOutcome() + " " + st.getModelVersion()
          + " -> " + st.getActiveModelVersion()).containsExactly("REFUSED fixture-2 -> fixture-2");
    } finally {
      ARMED.set(false);
      EmotionJob.cancel(client);
    }
    assertThat(SharedScorers.openCount()).isZero();
  }

  /**
   * The scenario: one call is being scored by the job's model (version 4) at real-time pace;
   * version fixture-2 is published mid-call; then a failure is injected. Utterances that were scored
   * before the publication name 2, those that ended after the swap completed name fixture-2, each
   * exactly once; after the restart the TaskManager still has fixture-2 (no reload of version 4:
   * no second start record on the status topic). Prints the swap latency.
   */
  @Test
  void aMidCallUpdateSwapsBetweenUtterancesAndAFailureAfterwardsKeepsTheNewModel() throws Exception {
    String test = "midcall";
    StreamJobConfig config = config(test);
    ARMED.set(false);
    INJECTED.set(0);
    JobClient client = EmotionJobITCase.start(EmotionJob.onKafka(config)
        .afterSegmentation(s -> s.map(new FailWhenArmed()).name("fail when armed")), "mid-call update");
    try {
      assertThat(statuses(config, 1)).as("the TaskManager's start record: the job is up").hasSize(1);
      List<SampleCalls.Call> call = SampleCalls.build(clips.subList(0, 10), 1, 22050, 1000, "mid-");
      Set<String> expected = TestAudio.expectedLabels(call, ScoredChannels.parse("*")).keySet();
      var replay = KafkaTestSupport.replayInBackground(broker.bootstrapServers(),
          config.get(StreamJobOptions.INPUT_TOPIC), call, 1);
      Thread.sleep(12_000); // about four utterances into the call
      long publishedAt = System.currentTimeMillis();
      publish(config.get(StreamJobOptions.MODEL_UPDATE_TOPIC),
          WireFormat.encode(update(SECOND, "fixture-2", ModelChecksum.sha256(SECOND))));
      List<ModelStatus> swap = statuses(config, 2);
      assertThat(swap.get(1).getOutcome().name() + " " + swap.get(1).getModelVersion()).isEqualTo("ACTIVE fixture-2");
      long swappedAt = swap.get(1).getAt().toEpochMilli();
      ARMED.set(true); // the next utterance fails its task: every task restarts
      replay.get();

      List<EmotionEvent> events = events(config, expected.size());
      Map<String, String> versions = versions(events, "mid-");
      assertThat(versions).containsOnlyKeys(expected);
      assertThat(INJECTED.get()).as("the failure fired").isPositive();
      int before = 0;
      int after = 0;
      for (EmotionEvent e : events) {
        long end = e.getEndTime().toEpochMilli();
        // an utterance is cut 500 ms (vad-hangover-ms) after its end and scored at once; 1 s of slack
        if (end + 1_500 < publishedAt) {
          assertThat(e.getModelVersion().toString()).as(e.getUtteranceId() + " ended before the update").isEqualTo("4");
          before++;
        } else if (end > swappedAt) {
          assertThat(e.getModelVersion().toString()).as(e.getUtteranceId() + " ended after the swap")
              .isEqualTo("fixture-2");
          after++;
        }
      }
      assertThat(before).as("utterances scored before the update").isPositive();
      assertThat(after).as("utterances scored after the swap").isPositive();
      assertThat(statuses(config, 2)).as("no second start: the restarted tasks found fixture-2 in the TaskManager")
          .hasSize(2);
      System.out.printf("swap latency: published to active on the TaskManager %d ms; %d utterances by version 4"
          + " before, %d by fixture-2 after%n", swappedAt - publishedAt, before, after);
    } finally {
      ARMED.set(false);
      EmotionJob.cancel(client);
    }
    assertThat(SharedScorers.openCount()).isZero();
  }
}
